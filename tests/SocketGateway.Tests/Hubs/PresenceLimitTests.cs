using System.Text.Json;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Hubs;

public sealed class PresenceLimitGateway() : SeparateGatewayFixture(new Dictionary<string, string?> { ["Gateway:Rooms:PresenceNoticeLimit"] = "2" });

/// <summary>Rooms larger than PresenceNoticeLimit (counting the one moving) get no joined/left notices.</summary>
public sealed class PresenceLimitTests(PresenceLimitGateway gateway) : IClassFixture<PresenceLimitGateway>
{
    private GatewayHost Host => gateway.Host;

    [Fact]
    public async Task The_third_member_moves_silently_but_is_listed()
    {
        var room = GatewayFixture.Unique("r");
        await using var first = await Host.ConnectHubAsync(GatewayFixture.Unique("first"));
        await using var second = await Host.ConnectHubAsync(GatewayFixture.Unique("second"));
        await using var third = await Host.ConnectTcpAsync(GatewayFixture.Unique("third"));
        await first.InvokeAsync<JsonElement>("Join", room);
        await second.InvokeAsync<JsonElement>("Join", room);
        await first.NextAsync("joined", e => e.GetProperty("nick").GetString() == second.Nick && e.GetProperty("room").GetString() == room);

        // Only the joiner hears of its own join; the others see its first message with no notice before it.
        await third.SendAsync($"/join {room}");
        await third.ReadUntilAsync($"[{room}] -> {third.Nick} joined (tcp)");
        await third.SendAsync("marker");
        foreach (var member in new[] { first, second })
        {
            var before = await member.EventsUntilAsync("message", m => m.GetProperty("from").GetString() == third.Nick);
            Assert.DoesNotContain(before, e => e.Name == "joined" && e.Payload.GetProperty("nick").GetString() == third.Nick);
        }

        await third.SendAsync($"/who {room}");
        await third.ReadUntilAsync($"* members of {room}: {first.Nick} (web), {second.Nick} (web), {third.Nick} (tcp)");
        Assert.Equal(3, (await first.InvokeAsync<JsonElement>("ListMembers", room)).GetArrayLength());

        // Leaving a room of three is silent too; leaving a room of two is announced again.
        await third.SendAsync($"/leave {room}");
        await third.ReadUntilAsync($"[{room}] <- {third.Nick} left");
        await second.InvokeAsync("Leave", room);
        var untilSecondLeft = await first.EventsUntilAsync("left", e => e.GetProperty("nick").GetString() == second.Nick);
        Assert.DoesNotContain(untilSecondLeft, e => e.Name == "left" && e.Payload.GetProperty("nick").GetString() == third.Nick);
    }

    [Fact]
    public async Task A_room_at_the_limit_still_gets_notices()
    {
        var room = GatewayFixture.Unique("r");
        await using var first = await Host.ConnectHubAsync(GatewayFixture.Unique("first"));
        await using var second = await Host.ConnectTcpAsync(GatewayFixture.Unique("second"));
        await first.InvokeAsync<JsonElement>("Join", room);

        await second.SendAsync($"/join {room}");
        var joined = await first.NextAsync("joined", e => e.GetProperty("nick").GetString() == second.Nick);
        Assert.Equal("tcp", joined.GetProperty("via").GetString());

        var members = await first.InvokeAsync<JsonElement>("ListMembers", room);
        Assert.True(ApiAssert.Contains(members, "nick", second.Nick));
    }
}
