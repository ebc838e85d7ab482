using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>/rooms and /list on a gateway of their own, so the whole line is known.</summary>
public sealed class TcpRoomListTests
{
    [Fact]
    public async Task Rooms_and_list_print_the_exact_line_of_the_contract()
    {
        await using var host = await GatewayHost.StartAsync();
        var alice = await host.ConnectTcpAsync("alice");
        var bob = await host.ConnectWebSocketAsync("bob");
        await host.ConnectHubAsync("carol");
        var dave = await host.ConnectTcpAsync("dave");
        await dave.JoinAsync("dev");
        await dave.CommandAsync("/leave lobby");
        await host.SetTopicAsync("lobby", "General chat");
        await alice.ReadUntilAsync("* topic of lobby: General chat");
        await bob.ReadUntilAsync("* topic of lobby: General chat");

        const string expected = "* rooms: lobby (3) \"General chat\", dev (1)";
        Assert.Equal([expected], await alice.RepliesAsync("/rooms"));
        Assert.Equal([expected], await bob.RepliesAsync("/list"));
        Assert.Equal([expected], await dave.RepliesAsync("/LIST"));

        await dave.CommandAsync("/leave");
        await host.SetTopicAsync("lobby", null);
        await alice.ReadUntilAsync("* lobby has no topic");
        Assert.Equal(["* rooms: lobby (3), dev (0)"], await alice.RepliesAsync("/rooms"));
    }

    [Fact]
    public async Task Rooms_after_the_lobby_are_listed_by_name()
    {
        await using var host = await GatewayHost.StartAsync();
        var alice = await host.ConnectTcpAsync("alice");
        foreach (var room in new[] { "zeta", "alpha", "mid" })
        {
            await alice.JoinAsync(room);
        }

        await host.SetTopicAsync("mid", "a \"quoted\" topic");
        await alice.SyncAsync();

        Assert.Equal(["* rooms: lobby (1), alpha (1), mid (1) \"a \"quoted\" topic\", zeta (1)"], await alice.RepliesAsync("/rooms"));
    }
}
