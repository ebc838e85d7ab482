using System.Text.Json;
using SocketGateway.Tests.Hubs;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.Sessions;

/// <summary>Contract, "Nothing missed after a drop", for the hub: <c>welcome.resumeToken</c>, a drop, <c>Resume(token)</c>.</summary>
public sealed class HubResumeTests
{
    [Fact]
    public async Task A_dropped_hub_user_resumes_with_its_nick_and_rooms_gets_every_missed_event_once_in_order_and_nobody_saw_it_leave()
    {
        await using var host = await GatewayHost.StartAsync();
        var socket = new DroppableSocket();
        var hanna = await host.ConnectHubAsync("hanna", socket: socket);
        await hanna.InvokeAsync<JsonElement>("Join", "dev");
        var bob = await host.ConnectTcpAsync("bob");
        await bob.JoinAsync("dev");
        var carol = await host.ConnectWebSocketAsync("carol");
        var token = hanna.Welcome.GetProperty("resumeToken").GetString()!;
        // Everything so far has reached hanna: what it misses starts at the drop.
        await hanna.NextAsync("nick", e => e.GetProperty("new").GetString() == "carol");

        socket.Drop();
        await host.WaitUntilHeldAsync(1);
        await bob.SendAsync("/join lobby");
        await bob.SendAsync("m1 in the lobby");
        await bob.SendAsync("/join dev");
        await bob.SendAsync("m2 in dev");
        await bob.SendAsync("/msg hanna m3 in private");
        await bob.ReadUntilAsync("[pm] -> hanna: m3 in private");
        await carol.SendAsync("m4 from carol");
        await bob.ReadUntilAsync("[lobby] carol: m4 from carol");

        var back = await host.ConnectHubAsync();
        var result = await back.InvokeAsync<JsonElement>("Resume", token);
        Assert.Equal("hanna", result.GetProperty("nick").GetString());
        Assert.Equal(["dev", "lobby"], result.GetProperty("rooms").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(4, result.GetProperty("missed").GetInt32());
        var next = result.GetProperty("resumeToken").GetString();
        Assert.False(string.IsNullOrEmpty(next));
        Assert.NotEqual(token, next);

        var replay = await back.EventsUntilAsync("resumed", e => e.GetProperty("missed").GetInt32() == 4);
        Assert.Equal(
            ["message lobby bob m1 in the lobby", "message dev bob m2 in dev", "private  bob m3 in private", "message lobby carol m4 from carol"],
            replay.Where(e => e.Name is "message" or "private").Select(e =>
                $"{e.Name} {(e.Payload.TryGetProperty("room", out var room) ? room.GetString() : "")} {e.Payload.GetProperty("from").GetString()} {e.Payload.GetProperty("text").GetString()}"));

        // The same member, as a browser user; the others saw no leave and no join of hanna.
        await back.InvokeAsync<JsonElement>("Send", "dev", "I am back");
        await bob.ReadUntilAsync("[dev] hanna: I am back");
        await bob.SendAsync("/ping");
        Assert.DoesNotContain(await bob.SyncAsync(), l => l.Contains("hanna left", StringComparison.Ordinal) || l.Contains("hanna joined", StringComparison.Ordinal));
        Assert.Contains("hanna (web)", (await carol.RepliesAsync("/who dev")).Single(l => l.StartsWith("* members of dev", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal(0, host.Chat.HeldSessions);

        // Spent: the same token is refused, a guessed one too, and that connection goes on as it was.
        var again = await host.ConnectHubAsync();
        await HubAssert.FailsAsync("bad_argument", () => again.InvokeAsync<JsonElement>("Resume", token));
        await HubAssert.FailsAsync("bad_argument", () => again.InvokeAsync<JsonElement>("Resume", new string('0', 48)));
        await again.InvokeAsync<JsonElement>("Send", "lobby", "still here");
        await bob.ReadUntilAsync($"[lobby] {again.Nick}: still here");
    }

    [Fact]
    public async Task A_browser_that_closes_its_connection_leaves_at_once_and_is_not_held()
    {
        await using var host = await GatewayHost.StartAsync();
        var watcher = await host.ConnectTcpAsync("watcher");
        var closer = await host.ConnectHubAsync("closer");
        Assert.False(string.IsNullOrEmpty(closer.Welcome.GetProperty("resumeToken").GetString()));

        await closer.Connection.StopAsync();
        await watcher.ReadUntilAsync("[lobby] <- closer left (disconnected)");
        Assert.Equal(0, host.Chat.HeldSessions);
    }

    [Fact]
    public async Task A_dropped_hub_session_can_be_resumed_from_a_tcp_connection_and_its_own_tokens_stay_private()
    {
        await using var host = await GatewayHost.StartAsync();
        var socket = new DroppableSocket();
        var hub = await host.ConnectHubAsync("hopper", socket: socket);
        var other = await host.ConnectHubAsync("other");
        var token = hub.Welcome.GetProperty("resumeToken").GetString()!;
        Assert.NotEqual(token, other.Welcome.GetProperty("resumeToken").GetString());
        var me = await hub.InvokeAsync<JsonElement>("WhoAmI");
        Assert.Equal(("hopper", token), (me.GetProperty("nick").GetString(), me.GetProperty("resumeToken").GetString()));

        // A live session is not taken over: its token resumes only a dropped one.
        var thief = await host.ConnectTcpAsync();
        await thief.ReadWelcomeAsync();
        await thief.ExpectErrorAsync("/resume " + token, "bad_argument");

        socket.Drop();
        await host.WaitUntilHeldAsync(1);
        await other.InvokeAsync<JsonElement>("Send", "lobby", "said to the held one");

        var back = await host.ConnectTcpAsync();
        await back.ReadWelcomeAsync();
        await back.SendAsync("/resume " + token);
        await back.ReadUntilAsync("[lobby] other: said to the held one");
        await back.ReadUntilAsync("* resumed: 1 missed event");
        await back.SendAsync("/who lobby");
        Assert.Contains("hopper (tcp)", await back.ReadUntilAsync(l => l.StartsWith("* members of lobby", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
