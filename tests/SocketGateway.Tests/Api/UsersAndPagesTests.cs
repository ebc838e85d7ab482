using System.Net;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Api;

/// <summary>GET /api/users, GET /healthz and GET / (the page).</summary>
[Collection(GatewayCollection.Name)]
public sealed class UsersAndPagesTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Users_are_listed_with_transport_rooms_remote_address_and_connected_since()
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await tcp.SendAsync($"/join {room}");
        await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");
        await using var web = await Host.ConnectHubAsync(GatewayFixture.Unique("web"));

        using var response = await http.GetAsync("api/users");
        var users = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal(JsonValueKind.Array, users.ValueKind);
        var tcpUser = ApiAssert.Find(users, "nick", tcp.Nick);
        Assert.Equal("tcp", tcpUser.GetProperty("via").GetString());
        Assert.Equal(["lobby", room], tcpUser.GetProperty("rooms").EnumerateArray().Select(r => r.GetString()));
        Assert.StartsWith("127.0.0.1", tcpUser.GetProperty("remoteAddress").GetString(), StringComparison.Ordinal);
        ApiAssert.Timestamp(tcpUser.GetProperty("connectedAt"));

        var webUser = ApiAssert.Find(users, "nick", web.Nick);
        Assert.Equal("web", webUser.GetProperty("via").GetString());
        Assert.Equal(["lobby"], webUser.GetProperty("rooms").EnumerateArray().Select(r => r.GetString()));
        Assert.StartsWith("127.0.0.1", webUser.GetProperty("remoteAddress").GetString(), StringComparison.Ordinal);
        ApiAssert.Timestamp(webUser.GetProperty("connectedAt"));
    }

    [Fact]
    public async Task A_user_who_disconnected_is_no_longer_listed()
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        var web = await Host.ConnectHubAsync(GatewayFixture.Unique("web"));
        await using var watcher = await Host.ConnectHubAsync();
        await web.InvokeAsync<JsonElement>("Join", room);
        await watcher.InvokeAsync<JsonElement>("Join", room);
        await web.DisposeAsync();

        // A small room of their own always gets the notice, which comes once the session is gone.
        var left = await watcher.NextAsync("left", e => e.GetProperty("nick").GetString() == web.Nick && e.GetProperty("room").GetString() == room);
        Assert.Equal("disconnected", left.GetProperty("reason").GetString());
        using var response = await http.GetAsync("api/users");
        Assert.False(ApiAssert.Contains(await ApiAssert.JsonAsync(response, HttpStatusCode.OK), "nick", web.Nick));
    }

    [Fact]
    public async Task Healthz_is_200()
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_root_serves_the_html_page()
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("SocketGateway", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_api_path_is_404_problem_json()
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.GetAsync("api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
