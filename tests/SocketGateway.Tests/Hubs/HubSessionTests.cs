using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Hubs;

/// <summary>Connecting (guest nick, welcome, lobby) and SetNick.</summary>
[Collection(GatewayCollection.Name)]
public sealed class HubSessionTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task A_browser_is_welcomed_with_a_guest_nick_and_put_in_the_lobby()
    {
        var welcomes = Channel.CreateUnbounded<JsonElement>();
        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(Host.HttpUri, "hubs/chat"), HttpTransportType.WebSockets, o => o.SkipNegotiation = true)
            .Build();
        connection.On<JsonElement>("welcome", w => welcomes.Writer.TryWrite(w.Clone()));
        await connection.StartAsync().WaitAsync(Timeouts.Step);

        var welcome = await welcomes.Reader.ReadAsync().AsTask().WaitAsync(Timeouts.Step);
        Assert.Equal("welcome", welcome.GetProperty("type").GetString());
        Assert.Equal("SocketGateway", welcome.GetProperty("server").GetString());
        var nick = welcome.GetProperty("nick").GetString()!;
        Assert.Matches("^guest-[0-9a-z]{4,}$", nick);

        var lobby = await connection.InvokeAsync<JsonElement>("ListMembers", "lobby").WaitAsync(Timeouts.Step);
        var me = ApiAssert.Find(lobby, "nick", nick);
        Assert.Equal("web", me.GetProperty("via").GetString());
        ApiAssert.Timestamp(me.GetProperty("connectedAt"));
    }

    [Fact]
    public async Task SetNick_returns_the_new_nick_and_the_room_sees_the_change()
    {
        await using var web = await Host.ConnectHubAsync();
        await using var watcher = await Host.ConnectHubAsync(GatewayFixture.Unique("watch"));
        var old = web.Nick;
        var nick = GatewayFixture.Unique("Alice");

        Assert.Equal(nick, await web.InvokeAsync<string>("SetNick", nick));

        var change = await watcher.NextAsync("nick", e => e.GetProperty("old").GetString() == old);
        Assert.Equal("nick", change.GetProperty("type").GetString());
        Assert.Equal("lobby", change.GetProperty("room").GetString());
        Assert.Equal(nick, change.GetProperty("new").GetString());
        var lobby = await watcher.InvokeAsync<JsonElement>("ListMembers", "lobby");
        Assert.True(ApiAssert.Contains(lobby, "nick", nick));
        Assert.False(ApiAssert.Contains(lobby, "nick", old));

        // Setting the nick one already has is not an error.
        Assert.Equal(nick, await web.InvokeAsync<string>("SetNick", nick));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("_abc")]
    [InlineData("has space")]
    [InlineData("abcdefghijklmnopqrstuvwxy")]
    [InlineData("n\u00efck")]
    [InlineData("semi;colon")]
    public async Task An_invalid_nick_is_refused_with_invalid_nick(string nick)
    {
        await using var web = await Host.ConnectHubAsync();
        await HubAssert.FailsAsync("invalid_nick", () => web.InvokeAsync<string>("SetNick", nick));
    }

    [Fact]
    public async Task A_nick_in_use_is_refused_with_nick_taken_ignoring_case()
    {
        await using var holder = await Host.ConnectHubAsync(GatewayFixture.Unique("Holder"));
        await using var web = await Host.ConnectHubAsync();
        await HubAssert.FailsAsync("nick_taken", () => web.InvokeAsync<string>("SetNick", holder.Nick.ToUpperInvariant()));

        var members = await web.InvokeAsync<JsonElement>("ListMembers", "lobby");
        Assert.True(ApiAssert.Contains(members, "nick", web.Nick));
    }

    [Fact]
    public async Task A_nick_change_produces_one_event_per_shared_room()
    {
        var shared1 = GatewayFixture.Unique("r");
        var shared2 = GatewayFixture.Unique("r");
        var notShared = GatewayFixture.Unique("r");
        await using var changer = await Host.ConnectHubAsync(GatewayFixture.Unique("changer"));
        await using var observer = await Host.ConnectHubAsync(GatewayFixture.Unique("observer"));
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        foreach (var room in new[] { shared1, shared2 })
        {
            await changer.InvokeAsync<JsonElement>("Join", room);
            await observer.InvokeAsync<JsonElement>("Join", room);
            await tcp.SendAsync($"/join {room}");
            await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");
        }

        await changer.InvokeAsync<JsonElement>("Join", notShared);
        var old = changer.Nick;
        var nick = GatewayFixture.Unique("renamed");

        await changer.InvokeAsync<string>("SetNick", nick);
        await changer.InvokeAsync<JsonElement>("Send", shared2, "marker");

        var before = await observer.EventsUntilAsync("message", m => m.GetProperty("from").GetString() == nick && m.GetProperty("text").GetString() == "marker");
        var nickEvents = before.Where(e => e.Name == "nick" && e.Payload.GetProperty("old").GetString() == old).Select(e => e.Payload).ToList();
        Assert.Equal(
            new[] { "lobby", shared1, shared2 }.Order(StringComparer.Ordinal),
            nickEvents.Select(e => e.GetProperty("room").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(nickEvents, e => Assert.Equal(nick, e.GetProperty("new").GetString()));

        // Text: one line per shared room, and none for the room only the changer is in.
        var lines = (await tcp.SyncAsync()).Where(l => l.EndsWith($"* {old} is now known as {nick}", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { $"[lobby] * {old} is now known as {nick}", $"[{shared1}] * {old} is now known as {nick}", $"[{shared2}] * {old} is now known as {nick}" }.Order(StringComparer.Ordinal), lines);
    }
}
