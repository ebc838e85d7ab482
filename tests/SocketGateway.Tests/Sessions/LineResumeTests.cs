using System.Text.Json;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.Sessions;

/// <summary>Contract, "Nothing missed after a drop", for the line transports: <c>/session</c>, a drop, <c>/resume TOKEN</c>.</summary>
public sealed class LineResumeTests
{
    private static async Task<string> TokenAsync(LineClient client)
    {
        await client.SendAsync("/session");
        var line = await client.ReadUntilAsync(l => l.StartsWith("* resume token: ", StringComparison.Ordinal));
        return line["* resume token: ".Length..];
    }

    [Fact]
    public async Task A_dropped_tcp_user_resumes_with_its_nick_and_rooms_gets_every_missed_event_once_in_order_and_nobody_saw_it_leave()
    {
        await using var host = await GatewayHost.StartAsync();
        var alice = await host.ConnectTcpAsync("alice");
        await alice.JoinAsync("dev");
        var bob = await host.ConnectTcpAsync("bob");
        await bob.JoinAsync("dev");
        var carol = await host.ConnectWebSocketAsync("carol");
        var token = await TokenAsync(alice);

        await alice.DisposeAsync(); // the socket drops
        await host.WaitUntilHeldAsync(1);
        await bob.SendAsync("/join lobby");
        await bob.SendAsync("m1 in the lobby");
        await bob.SendAsync("/join dev");
        await bob.SendAsync("m2 in dev");
        await bob.SendAsync("/msg alice m3 in private");
        await bob.ReadUntilAsync("[pm] -> alice: m3 in private"); // bob's lines are handled: carol's comes after
        await carol.SendAsync("m4 from carol");
        await bob.ReadUntilAsync("[lobby] carol: m4 from carol");
        Assert.Contains("alice (tcp)", (await bob.RepliesAsync("/who lobby")).Single(l => l.StartsWith("* members of lobby", StringComparison.Ordinal)), StringComparison.Ordinal);

        var back = await host.ConnectTcpAsync();
        await back.ReadWelcomeAsync();
        await back.SendAsync("/resume " + token);
        var replay = new List<string>();
        await back.ReadUntilAsync(l =>
        {
            replay.Add(l);
            return l.StartsWith("* resumed: ", StringComparison.Ordinal);
        });
        var missed = replay.SkipWhile(l => !l.Contains("m1", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["[lobby] bob: m1 in the lobby", "[dev] bob: m2 in dev", "[pm] bob: m3 in private", "[lobby] carol: m4 from carol", "* resumed: 4 missed events"],
            missed);

        // The same member: nick, rooms and current room; the others saw no leave and no join of alice.
        await back.SendAsync("I am back");
        var seenByBob = await bob.ReadUntilAsync("[dev] alice: I am back");
        await bob.SendAsync("/ping");
        var bobsLines = await bob.SyncAsync();
        Assert.DoesNotContain(bobsLines, l => l.Contains("alice left", StringComparison.Ordinal) || l.Contains("alice joined", StringComparison.Ordinal));
        Assert.Contains("alice (tcp)", (await carol.RepliesAsync("/who dev")).Single(l => l.StartsWith("* members of dev", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal(0, host.Chat.HeldSessions);

        // Spent: the same token again is refused, and that connection goes on as it was.
        var again = await host.ConnectTcpAsync();
        var guest = (await again.ReadWelcomeAsync(), again.Nick).Nick;
        await again.ExpectErrorAsync("/resume " + token, "bad_argument");
        await again.ExpectErrorAsync("/resume not-a-token", "bad_argument");
        Assert.Contains($"* members of lobby: ", string.Join("\n", await again.RepliesAsync("/who lobby")), StringComparison.Ordinal);
        Assert.Equal(guest, again.Nick);
    }

    [Fact]
    public async Task A_ws_user_resumes_over_tcp_in_its_json_format_and_a_session_without_a_token_leaves_at_once()
    {
        await using var host = await GatewayHost.StartAsync();
        var watcher = await host.ConnectTcpAsync("watcher");
        var ws = await host.ConnectWebSocketAsync("wendy");
        await ws.SendAsync("/format json");
        await ws.SendAsync("/session");
        var token = (await ws.ReadJsonAsync("session")).GetProperty("resumeToken").GetString();
        await ws.DisposeAsync();
        await host.WaitUntilHeldAsync(1);
        await watcher.SendAsync("while you were out");

        var back = await host.ConnectTcpAsync();
        await back.ReadWelcomeAsync();
        await back.SendAsync("/resume " + token);
        var message = await back.ReadJsonAsync("message");
        Assert.Equal("while you were out", message.GetProperty("text").GetString());
        var resumed = await back.ReadJsonAsync("resumed");
        Assert.Equal(1, resumed.GetProperty("missed").GetInt32());

        // Without /session, a drop is the usual leave.
        var plain = await host.ConnectTcpAsync("plain");
        await plain.DisposeAsync();
        await watcher.ReadUntilAsync("[lobby] <- plain left (disconnected)");
    }

    [Fact]
    public async Task After_the_window_the_held_user_leaves_as_disconnected_and_its_token_is_refused()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Sessions:ResumeWindowSeconds"] = "1" });
        var watcher = await host.ConnectTcpAsync("watcher");
        var alice = await host.ConnectTcpAsync("alice");
        var token = await TokenAsync(alice);
        await alice.DisposeAsync();
        await watcher.ReadUntilAsync("[lobby] <- alice left (disconnected)");
        var late = await host.ConnectTcpAsync();
        await late.ReadWelcomeAsync();
        await late.ExpectErrorAsync("/resume " + token, "bad_argument");
    }

    [Fact]
    public async Task A_held_session_keeps_at_most_its_queue_and_past_it_ends_so_a_resume_is_refused_with_the_reason()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Limits:OutboundQueueLength"] = "5" });
        var flood = await host.ConnectTcpAsync("flood");
        var alice = await host.ConnectTcpAsync("alice");
        var token = await TokenAsync(alice);
        await alice.DisposeAsync();
        await host.WaitUntilHeldAsync(1);
        for (var i = 0; i < 10; i++)
        {
            await flood.SendAsync($"flood {i}");
        }

        await flood.ReadUntilAsync("[lobby] <- alice left (disconnected)");
        var back = await host.ConnectTcpAsync();
        await back.ReadWelcomeAsync();
        await back.ExpectErrorAsync("/resume " + token, "bad_argument");
    }
}
