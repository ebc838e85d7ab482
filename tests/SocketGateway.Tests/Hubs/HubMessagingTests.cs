using System.Text.Json;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Hubs;

/// <summary>Send, SendAction, SendPrivate and History.</summary>
[Collection(GatewayCollection.Name)]
public sealed class HubMessagingTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Send_returns_the_stored_message_and_every_member_receives_it()
    {
        var room = GatewayFixture.Unique("r");
        await using var sender = await Host.ConnectHubAsync(GatewayFixture.Unique("sender"));
        await using var reader = await Host.ConnectHubAsync(GatewayFixture.Unique("reader"));
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await sender.InvokeAsync<JsonElement>("Join", room);
        await reader.InvokeAsync<JsonElement>("Join", room);
        await tcp.SendAsync($"/join {room}");
        await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");

        var sent = await sender.InvokeAsync<JsonElement>("Send", room, "  hello everyone \n");

        Assert.Equal("message", sent.GetProperty("type").GetString());
        Assert.Equal(room, sent.GetProperty("room").GetString());
        Assert.Equal(sender.Nick, sent.GetProperty("from").GetString());
        Assert.Equal("hello everyone", sent.GetProperty("text").GetString());
        Assert.Equal("web", sent.GetProperty("via").GetString());
        ApiAssert.Timestamp(sent.GetProperty("ts"));
        var received = await reader.NextAsync("message", m => m.GetProperty("room").GetString() == room);
        Assert.Equal(sent.GetRawText(), received.GetRawText());
        await tcp.ReadUntilAsync($"[{room}] {sender.Nick}: hello everyone");

        var next = await sender.InvokeAsync<JsonElement>("Send", room, "again");
        Assert.True(next.GetProperty("id").GetInt64() > sent.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task SendAction_returns_an_action_and_members_see_it_as_one()
    {
        var room = GatewayFixture.Unique("r");
        await using var actor = await Host.ConnectHubAsync(GatewayFixture.Unique("actor"));
        await using var reader = await Host.ConnectHubAsync(GatewayFixture.Unique("reader"));
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await actor.InvokeAsync<JsonElement>("Join", room);
        await reader.InvokeAsync<JsonElement>("Join", room);
        await tcp.SendAsync($"/join {room}");
        await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");

        var action = await actor.InvokeAsync<JsonElement>("SendAction", room, "waves");

        Assert.Equal("action", action.GetProperty("type").GetString());
        Assert.Equal("waves", action.GetProperty("text").GetString());
        Assert.Equal(actor.Nick, action.GetProperty("from").GetString());
        var received = await reader.NextAsync("action", m => m.GetProperty("room").GetString() == room);
        Assert.Equal(action.GetRawText(), received.GetRawText());
        await tcp.ReadUntilAsync($"[{room}] * {actor.Nick} waves");

        var history = await reader.InvokeAsync<JsonElement>("History", room, 1);
        Assert.Equal("action", history[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task SendPrivate_returns_the_private_message_and_only_the_target_gets_it()
    {
        await using var sender = await Host.ConnectHubAsync(GatewayFixture.Unique("sender"));
        await using var target = await Host.ConnectHubAsync(GatewayFixture.Unique("target"));
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));

        var result = await sender.InvokeAsync<JsonElement>("SendPrivate", target.Nick.ToUpperInvariant(), "psst");

        Assert.Equal("private", result.GetProperty("type").GetString());
        Assert.Equal(sender.Nick, result.GetProperty("from").GetString());
        Assert.Equal(target.Nick, result.GetProperty("to").GetString());
        Assert.Equal("psst", result.GetProperty("text").GetString());
        ApiAssert.Timestamp(result.GetProperty("ts"));
        var received = await target.NextAsync("private");
        Assert.Equal(result.GetRawText(), received.GetRawText());

        await sender.InvokeAsync<JsonElement>("SendPrivate", tcp.Nick, "to the terminal");
        await tcp.ReadUntilAsync($"[pm] {sender.Nick}: to the terminal");
    }

    [Fact]
    public async Task History_is_oldest_first_and_limited()
    {
        var room = GatewayFixture.Unique("r");
        await using var writer = await Host.ConnectHubAsync(GatewayFixture.Unique("writer"));
        await using var outsider = await Host.ConnectHubAsync();
        await writer.InvokeAsync<JsonElement>("Join", room);
        var ids = new List<long>();
        for (var i = 1; i <= 5; i++)
        {
            ids.Add((await writer.InvokeAsync<JsonElement>("Send", room, $"line {i}")).GetProperty("id").GetInt64());
        }

        var lastThree = await writer.InvokeAsync<JsonElement>("History", room, 3);
        Assert.Equal(ids[2..], lastThree.EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
        Assert.Equal(["line 3", "line 4", "line 5"], lastThree.EnumerateArray().Select(m => m.GetProperty("text").GetString()));

        var all = await outsider.InvokeAsync<JsonElement>("History", room, 50);
        Assert.Equal(ids, all.EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
        Assert.All(all.EnumerateArray(), m =>
        {
            Assert.Equal("message", m.GetProperty("type").GetString());
            Assert.Equal("web", m.GetProperty("via").GetString());
            ApiAssert.Timestamp(m.GetProperty("ts"));
        });
    }
}
