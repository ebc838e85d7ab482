using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Cluster;

/// <summary>One nick namespace and one list of users across two gateway processes on one Redis.</summary>
public sealed class CrossNodeUsersTests
{
    [Fact]
    public async Task Two_nodes_racing_for_a_nick_a_hundred_times_give_it_to_exactly_one_whatever_the_case()
    {
        const int Pairs = 10;
        const int Rounds = 10;
        await using var cluster = await TwoNodes.StartAsync();
        var pairs = new List<(LineClient OnA, LineClient OnB)>();
        for (var p = 0; p < Pairs; p++)
        {
            var onA = await cluster.TcpAsync(cluster.A, $"ra{p}");
            var onB = await cluster.TcpAsync(cluster.B, $"rb{p}");
            foreach (var racer in new[] { onA, onB })
            {
                // Out of every room: a rename is then answered to the racer alone, never seen as someone else's.
                await racer.SendAsync("/leave lobby");
                await racer.ReadUntilAsync($"[lobby] <- {racer.Nick} left");
            }

            pairs.Add((onA, onB));
        }

        for (var round = 0; round < Rounds; round++)
        {
            var outcomes = await Task.WhenAll(pairs.Select(async (pair, p) =>
            {
                var nick = $"prize-{p}-{round}";
                var theirs = round % 2 == 0 ? nick : nick.ToUpperInvariant(); // both cases: same and different letter case
                await Task.WhenAll(pair.OnA.SendAsync($"/nick {nick}"), pair.OnB.SendAsync($"/nick {theirs}"));
                return (nick, await WonAsync(pair.OnA, nick), await WonAsync(pair.OnB, theirs));
            }));
            foreach (var (nick, a, b) in outcomes)
            {
                Assert.True(a ^ b, $"{nick}: node A {(a ? "got" : "lost")} it and node B {(b ? "got" : "lost")} it");
            }
        }
    }

    [Fact]
    public async Task An_account_on_two_nodes_is_one_nick_that_no_guest_or_other_account_takes_on_either_even_after_it_left()
    {
        await using var cluster = await TwoNodes.StartAsync();
        var aliceToken = Identity.TestTokens.Hs256("u-1", name: "alice");
        var onA = await cluster.TcpAsync(cluster.A, "tmp-alice");
        await onA.SendAsync("/auth " + aliceToken);
        await onA.ReadUntilAsync("* signed in as alice (account u-1)");
        var onB = await cluster.SignedInHubAsync(cluster.B, aliceToken);
        Assert.Equal("alice", onB.Nick);

        var guest = await cluster.TcpAsync(cluster.B, "gus");
        await guest.SendAsync("/nick alice");
        await guest.ReadUntilAsync("! nick_taken: the nick 'alice' is in use");
        // The nick it had as a guest was given up across the gateway when it signed in.
        var squatter = await cluster.TcpAsync(cluster.B, "tmp-alice");
        var other = await cluster.SignedInHubAsync(cluster.B, Identity.TestTokens.Hs256("u-666", name: "alice"));
        Assert.StartsWith("user-", other.Nick, StringComparison.Ordinal);

        await guest.SendAsync("/who");
        var who = await guest.ReadUntilAsync(l => l.StartsWith("* members of lobby: ", StringComparison.Ordinal));
        Assert.Contains("alice (tcp)", who, StringComparison.Ordinal);
        Assert.Contains("alice (web)", who, StringComparison.Ordinal);
        await guest.SendAsync("/msg alice on both nodes");
        await onA.ReadUntilAsync(l => l.StartsWith("[pm] gus", StringComparison.Ordinal) && l.EndsWith("on both nodes", StringComparison.Ordinal));
        await onB.NextAsync("private", p => p.GetProperty("text").GetString() == "on both nodes");

        // Gone from both nodes: still the account's, because it signed in before (the shared store says so).
        await onB.DisposeAsync();
        await onA.SendAsync("/quit");
        await guest.ReadUntilAsync("[lobby] <- alice left (quit)");
        var later = await cluster.TcpAsync(cluster.A, "gwen");
        await later.SendAsync("/nick alice");
        Assert.StartsWith("! nick_taken: ", await later.ReadUntilAsync(l => l.StartsWith("! ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_nick_freed_on_one_node_is_free_on_the_other_at_once_and_users_of_both_are_listed_once_with_their_node()
    {
        await using var cluster = await TwoNodes.StartAsync();
        var alice = await cluster.TcpAsync(cluster.A, "alice");
        var bob = await cluster.HubAsync(cluster.B, "bob");
        var carol = await cluster.WebSocketAsync(cluster.B, "carol");

        await carol.SendAsync("/nick alice");
        await carol.ReadUntilAsync("! nick_taken: the nick 'alice' is in use");
        await alice.SendAsync("/nick alicia");
        await alice.ReadUntilAsync("[lobby] * alice is now known as alicia");
        await carol.SendAsync("/nick ALICE");
        await carol.ReadUntilAsync("[lobby] * carol is now known as ALICE");
        await carol.SendAsync("/nick carol");
        await carol.ReadUntilAsync("[lobby] * ALICE is now known as carol");

        // Each user once, on the node it is connected to, in every list and on either node.
        var expected = new (string?, string?, string?)[] { ("alicia", "tcp", "node-a"), ("bob", "web", "node-b"), ("carol", "ws", "node-b") };
        foreach (var node in new[] { cluster.A, cluster.B })
        {
            using var http = TwoNodes.Http(node);
            var users = await http.GetFromJsonAsync<JsonElement>("api/users");
            Assert.Equal(expected, users.EnumerateArray()
                .Select(u => (u.GetProperty("nick").GetString(), u.GetProperty("via").GetString(), u.GetProperty("node").GetString()))
                .OrderBy(u => u.Item1, StringComparer.Ordinal));
            var members = await http.GetFromJsonAsync<JsonElement>("api/rooms/lobby/members");
            Assert.Equal(["alicia", "bob", "carol"], members.EnumerateArray().Select(m => m.GetProperty("nick").GetString()).Order(StringComparer.Ordinal));
            var lobby = await http.GetFromJsonAsync<JsonElement>("api/rooms/lobby");
            Assert.Equal(3, lobby.GetProperty("members").GetInt32());
        }

        await alice.SendAsync("/who");
        var who = await alice.ReadUntilAsync(l => l.StartsWith("* members of lobby: ", StringComparison.Ordinal));
        Assert.Equal(["alicia (tcp)", "bob (web)", "carol (ws)"], who["* members of lobby: ".Length..].Split(", ").Order(StringComparer.Ordinal));
        await carol.SendAsync("/rooms");
        await carol.ReadUntilAsync(l => l.StartsWith("* rooms: lobby (3)", StringComparison.Ordinal));
        var rooms = await bob.InvokeAsync<JsonElement>("ListRooms");
        Assert.Equal(3, rooms.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "lobby").GetProperty("members").GetInt32());

        // Gone from node A: gone from every list, and the nick is free on node B.
        await alice.SendAsync("/quit");
        await carol.ReadUntilAsync("[lobby] <- alicia left (quit)");
        await carol.SendAsync("/nick alicia");
        await carol.ReadUntilAsync("[lobby] * carol is now known as alicia");
        using var fromB = TwoNodes.Http(cluster.B);
        var left = await fromB.GetFromJsonAsync<JsonElement>("api/users");
        Assert.Equal(["alicia", "bob"], left.EnumerateArray().Select(u => u.GetProperty("nick").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Private_messages_cross_nodes_both_ways_and_rest_refuses_a_sender_nick_held_on_the_other_node()
    {
        await using var cluster = await TwoNodes.StartAsync();
        var alice = await cluster.TcpAsync(cluster.A, "alice");
        var bob = await cluster.HubAsync(cluster.B, "bob");

        await alice.SendAsync("/msg bob psst from a");
        var heard = await bob.NextAsync("private", p => p.GetProperty("text").GetString() == "psst from a");
        Assert.Equal("alice", heard.GetProperty("from").GetString());
        await alice.ReadUntilAsync("[pm] -> bob: psst from a");

        await bob.InvokeAsync<JsonElement>("SendPrivate", "alice", "psst from b");
        await alice.ReadUntilAsync("[pm] bob: psst from b");
        await alice.SendAsync("/msg nobody hello?");
        await alice.ReadUntilAsync(l => l.StartsWith("! no_such_user:", StringComparison.Ordinal));

        using var http = TwoNodes.Http(cluster.A);
        using var posted = await http.PostAsJsonAsync("api/rooms/lobby/messages", new { from = "bob", text = "not bob" });
        Assert.Equal(HttpStatusCode.Conflict, posted.StatusCode);
    }

    [Fact]
    public async Task Rest_on_one_node_kicks_a_member_connected_to_the_other()
    {
        await using var cluster = await TwoNodes.StartAsync();
        var alice = await cluster.TcpAsync(cluster.A, "alice");
        var bob = await cluster.HubAsync(cluster.B, "bob");
        using var http = TwoNodes.Http(cluster.B);

        using (var kicked = await http.DeleteAsync("api/rooms/lobby/members/alice"))
        {
            Assert.Equal(HttpStatusCode.NoContent, kicked.StatusCode);
        }

        await alice.ReadUntilAsync("* you were removed from lobby");
        var left = await bob.NextAsync("left", l => l.GetProperty("nick").GetString() == "alice");
        Assert.Equal("kicked", left.GetProperty("reason").GetString());
        var members = await http.GetFromJsonAsync<JsonElement>("api/rooms/lobby/members");
        Assert.Equal(["bob"], members.EnumerateArray().Select(m => m.GetProperty("nick").GetString()));

        // Still connected to node A, no longer in the room; and a nick nobody has.
        using var again = await http.DeleteAsync("api/rooms/lobby/members/alice");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains("not_in_room", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var nobody = await http.DeleteAsync("api/rooms/lobby/members/nobody");
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
        Assert.Contains("no_such_user", await nobody.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_killed_node_loses_only_its_users_who_leave_every_room_disconnected_within_the_timeout_and_free_their_nicks()
    {
        await using var cluster = await TwoNodes.StartAsync();
        var alice = await cluster.TcpAsync(cluster.A, "alice");
        await alice.SendAsync("/join dev");
        await alice.ReadUntilAsync("[dev] -> alice joined (tcp)");
        var bob = await cluster.TcpAsync(cluster.B, "bob");
        await bob.SendAsync("/join dev");
        await bob.ReadUntilAsync("[dev] -> bob joined (tcp)");

        var killed = System.Diagnostics.Stopwatch.StartNew();
        await cluster.A.KillAsync();
        var limit = TimeSpan.FromSeconds(TwoNodes.NodeTimeoutSeconds + 5);
        var gone = new HashSet<string>(StringComparer.Ordinal);
        while (gone.Count < 2)
        {
            var line = await bob.ReadUntilAsync(l => l.EndsWith("<- alice left (disconnected)", StringComparison.Ordinal), limit);
            gone.Add(line.Split(']')[0]);
        }

        Assert.True(killed.Elapsed < limit, $"alice was removed {killed.Elapsed} after node A died");
        Assert.Equal(["[dev", "[lobby"], gone.Order(StringComparer.Ordinal));

        // Node B kept serving throughout, lists no one of node A, and the nick is free.
        using var http = TwoNodes.Http(cluster.B);
        var users = await http.GetFromJsonAsync<JsonElement>("api/users");
        Assert.Equal(["bob"], users.EnumerateArray().Select(u => u.GetProperty("nick").GetString()));
        await bob.SendAsync("/nick alice");
        await bob.ReadUntilAsync("[lobby] * bob is now known as alice");
        var nodes = await http.GetFromJsonAsync<JsonElement>("api/nodes");
        Assert.Equal(["node-b"], nodes.EnumerateArray().Select(n => n.GetProperty("name").GetString()));
    }

    private static async Task<bool> WonAsync(LineClient racer, string nick)
    {
        var answer = await racer.ReadUntilAsync(l => l == $"* you are now known as {nick}" || l.StartsWith("! nick_taken:", StringComparison.Ordinal));
        return !answer.StartsWith('!');
    }
}
