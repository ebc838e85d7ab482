using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.CrossTransport;

[Collection(GatewayCollection.Name)]
public sealed class TcpAndHubTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task A_tcp_message_reaches_a_browser_and_a_browser_message_reaches_tcp()
    {
        var room = GatewayFixture.Unique("r");
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await using var web = await Host.ConnectHubAsync(GatewayFixture.Unique("web"));
        await tcp.SendAsync($"/join {room}");
        await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");
        var joined = await web.InvokeAsync<JsonElement>("Join", room);
        Assert.Equal(room, joined.GetProperty("name").GetString());
        Assert.Equal(2, joined.GetProperty("members").GetInt32());
        await tcp.ReadUntilAsync($"[{room}] -> {web.Nick} joined (web)");

        await tcp.SendAsync("hello from nc");
        var fromTcp = await web.NextAsync("message", m => m.GetProperty("room").GetString() == room);
        Assert.Equal("hello from nc", fromTcp.GetProperty("text").GetString());
        Assert.Equal(tcp.Nick, fromTcp.GetProperty("from").GetString());
        Assert.Equal("tcp", fromTcp.GetProperty("via").GetString());
        Assert.Equal("message", fromTcp.GetProperty("type").GetString());

        var sent = await web.InvokeAsync<JsonElement>("Send", room, "hello from the browser");
        Assert.True(sent.GetProperty("id").GetInt64() > fromTcp.GetProperty("id").GetInt64());
        await tcp.ReadUntilAsync($"[{room}] {web.Nick}: hello from the browser");
    }

    [Fact]
    public async Task Private_messages_work_both_ways_between_tcp_and_browser()
    {
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await using var web = await Host.ConnectHubAsync(GatewayFixture.Unique("web"));

        await tcp.SendAsync($"/msg {web.Nick} psst");
        var pm = await web.NextAsync("private");
        Assert.Equal(tcp.Nick, pm.GetProperty("from").GetString());
        Assert.Equal(web.Nick, pm.GetProperty("to").GetString());
        Assert.Equal("psst", pm.GetProperty("text").GetString());

        var result = await web.InvokeAsync<JsonElement>("SendPrivate", tcp.Nick.ToUpperInvariant(), "back at you");
        Assert.Equal("private", result.GetProperty("type").GetString());
        await tcp.ReadUntilAsync($"[pm] {web.Nick}: back at you");
    }

    [Fact]
    public async Task Nicks_are_unique_across_transports_ignoring_case()
    {
        var nick = GatewayFixture.Unique("Alice");
        await using var tcp = await Host.ConnectTcpAsync(nick);
        await using var web = await Host.ConnectHubAsync();

        var error = await Assert.ThrowsAsync<HubException>(() => web.InvokeAsync<string>("SetNick", nick.ToLowerInvariant()));
        Assert.Contains("nick_taken", error.Message);

        var webNick = GatewayFixture.Unique("Bob");
        await web.InvokeAsync<string>("SetNick", webNick);
        await tcp.SendAsync($"/nick {webNick.ToUpperInvariant()}");
        await tcp.ReadUntilAsync(l => l.StartsWith("! nick_taken: ", StringComparison.Ordinal));
    }
}
