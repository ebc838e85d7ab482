using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>
/// Where a plain line goes: the room joined (or switched to) last; after leaving or losing it, the most recently
/// joined room one is still in; with no room, nowhere (not_in_room).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class TcpCurrentRoomTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Leaving_the_current_room_falls_back_to_the_most_recently_joined_one_then_to_no_room()
    {
        var (a, b, c) = (GatewayFixture.Unique("r"), GatewayFixture.Unique("r"), GatewayFixture.Unique("r"));
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.CommandAsync("/leave lobby");
        foreach (var room in new[] { a, b, c })
        {
            await bob.JoinAsync(room);
            await alice.JoinAsync(room);
        }

        await AssertCurrentRoomAsync(alice, bob, c);
        await alice.CommandAsync("/leave");
        await AssertCurrentRoomAsync(alice, bob, b);
        await alice.CommandAsync($"/part {b}");
        await AssertCurrentRoomAsync(alice, bob, a);
        await alice.CommandAsync("/leave");
        await AssertCurrentRoomAsync(alice, bob, "lobby");
        await alice.CommandAsync("/leave");
        await bob.SyncAsync();

        await alice.ExpectErrorAsync("plain text into the void", "not_in_room");
        await alice.ExpectErrorAsync("/me waves at nobody", "not_in_room");
        await alice.ExpectErrorAsync("/leave", "not_in_room");
        await alice.ExpectErrorAsync("/who", "not_in_room");
        await alice.ExpectErrorAsync("/topic", "not_in_room");
        await alice.ExpectErrorAsync("/history", "not_in_room");
        Assert.Empty(await bob.SyncAsync());

        await alice.JoinAsync(b);
        await AssertCurrentRoomAsync(alice, bob, b);
    }

    [Fact]
    public async Task Leaving_another_room_keeps_the_current_one()
    {
        var (a, b) = (GatewayFixture.Unique("r"), GatewayFixture.Unique("r"));
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.CommandAsync("/leave lobby");
        await bob.JoinAsync(a);
        await bob.JoinAsync(b);
        await alice.JoinAsync(a);
        await alice.JoinAsync(b);

        await alice.CommandAsync($"/leave {a}");

        await AssertCurrentRoomAsync(alice, bob, b);
    }

    [Fact]
    public async Task Switching_to_a_room_does_not_count_as_joining_it()
    {
        var (a, b, c) = (GatewayFixture.Unique("r"), GatewayFixture.Unique("r"), GatewayFixture.Unique("r"));
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.CommandAsync("/leave lobby");
        foreach (var room in new[] { a, b })
        {
            await bob.JoinAsync(room);
            await alice.JoinAsync(room);
        }

        await alice.CommandAsync($"/join {a}");
        await AssertCurrentRoomAsync(alice, bob, a);
        await alice.JoinAsync(c);
        await alice.CommandAsync("/leave");

        await AssertCurrentRoomAsync(alice, bob, b);
    }

    [Fact]
    public async Task Being_kicked_from_the_current_room_falls_back_to_the_most_recently_joined_one()
    {
        var (a, b) = (GatewayFixture.Unique("r"), GatewayFixture.Unique("r"));
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.CommandAsync("/leave lobby");
        await bob.JoinAsync(a);
        await bob.JoinAsync(b);
        await alice.JoinAsync(a);
        await alice.JoinAsync(b);

        await Host.KickAsync(b, alice.Nick);

        await alice.ReadUntilAsync($"* you were removed from {b}");
        await bob.ReadUntilAsync($"[{b}] <- {alice.Nick} left (kicked)");
        await AssertCurrentRoomAsync(alice, bob, a);
        await alice.ExpectErrorAsync($"/leave {b}", "not_in_room");
    }

    [Fact]
    public async Task A_closed_current_room_falls_back_to_the_most_recently_joined_one()
    {
        var (a, b) = (GatewayFixture.Unique("r"), GatewayFixture.Unique("r"));
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.CommandAsync("/leave lobby");
        await bob.JoinAsync(a);
        await alice.JoinAsync(a);
        await alice.JoinAsync(b);

        await Host.CloseRoomAsync(b, "spring cleaning");

        await alice.ReadUntilAsync($"* room {b} was closed: spring cleaning");
        await AssertCurrentRoomAsync(alice, bob, a);
        await alice.ExpectErrorAsync($"/who {b}", "no_such_room");
    }

    [Fact]
    public async Task A_closed_only_room_leaves_plain_lines_nowhere_to_go()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await alice.CommandAsync("/leave lobby");
        await alice.JoinAsync(room);

        await Host.CloseRoomAsync(room, "gone");

        await alice.ReadUntilAsync($"* room {room} was closed: gone");
        await alice.ExpectErrorAsync("anyone?", "not_in_room");
    }

    /// <summary>Sends a plain line and checks which room it went to (bob is in every room but the lobby).</summary>
    private static async Task AssertCurrentRoomAsync(LineClient alice, LineClient bob, string room)
    {
        var text = $"probe {Guid.NewGuid():N}";
        var echo = (await alice.CommandAsync(text)).Where(l => l.EndsWith(text, StringComparison.Ordinal));
        Assert.Equal([$"[{room}] {alice.Nick}: {text}"], echo);
        if (room != "lobby")
        {
            await bob.ReadUntilAsync($"[{room}] {alice.Nick}: {text}");
        }
    }
}
