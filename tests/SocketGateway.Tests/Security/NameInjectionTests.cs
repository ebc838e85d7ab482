using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

/// <summary>Room names that try to be paths, globs, NULs or header breaks; and a client that half-closes.</summary>
[Collection(GatewayCollection.Name)]
public sealed class NameInjectionTests(GatewayFixture gateway)
{
    private GatewayHost Host => gateway.Host;

    [Theory]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("..%252Fdata")]
    [InlineData("lobby%00")]
    [InlineData("%2A")]
    [InlineData("dev%0D%0AX-Injected:%201")]
    [InlineData("a%5Cb")]
    public async Task Path_tricks_in_rest_room_names_are_invalid_room(string encoded)
    {
        using var http = Host.CreateHttpClient();
        var read = await http.GetAsync($"api/rooms/{encoded}");
        Assert.Equal(HttpStatusCode.BadRequest, read.StatusCode);
        // Kestrel itself refuses some (a NUL in the path) before the API sees them; the API answers the rest.
        if (read.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            Assert.Equal("invalid_room", (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        Assert.False(read.Headers.Contains("X-Injected"));

        var post = await http.PostAsJsonAsync($"api/rooms/{encoded}/messages", new { text = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("room\0")]
    [InlineData("r*")]
    [InlineData("a\r\nb")]
    [InlineData("lobby/..")]
    public async Task Path_tricks_in_created_or_joined_room_names_are_refused_everywhere(string name)
    {
        using var http = Host.CreateHttpClient();
        var created = await http.PostAsJsonAsync("api/rooms", new { name });
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);

        await using var web = await Host.ConnectHubAsync();
        var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => web.InvokeAsync<JsonElement>("Join", name));
        Assert.Contains("invalid_room", error.Message);

        if (!name.Contains('\n', StringComparison.Ordinal))
        {
            // (On TCP a line break ends the line itself, so that case is the line protocol's, tested there.)
            await using var tcp = await Host.ConnectTcpAsync();
            await tcp.ReadWelcomeAsync();
            await tcp.SendAsync($"/join {name}");
            await tcp.ReadUntilAsync(l => l.StartsWith("! invalid_room: ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_client_that_half_closes_has_its_lines_handled_then_leaves()
    {
        var room = GatewayFixture.Unique("half");
        var nick = GatewayFixture.Unique("half");
        await using var watcher = await Host.ConnectTcpAsync(GatewayFixture.Unique("w"));
        await watcher.SendAsync($"/join {room}");
        await watcher.SyncAsync();

        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Host.TcpPort).WaitAsync(Timeouts.Step);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes($"/nick {nick}\n/join {room}\nlast words\n")).AsTask().WaitAsync(Timeouts.Step);
        client.Client.Shutdown(SocketShutdown.Send);

        await watcher.ReadUntilAsync($"[{room}] {nick}: last words");
        await watcher.ReadUntilAsync($"[{room}] <- {nick} left (disconnected)");

        // Its own replies still reach it before the server closes its side.
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var all = await reader.ReadToEndAsync().WaitAsync(Timeouts.Step);
        Assert.True(all.Contains($"[{room}] {nick}: last words", StringComparison.Ordinal), all);
    }
}
