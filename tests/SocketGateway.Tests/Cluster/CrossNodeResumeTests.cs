using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.Cluster;

/// <summary>Contract, "Nothing missed after a drop": the new connection lands on another node than the dropped one.</summary>
public sealed partial class CrossNodeResumeTests
{
    // The drop is noticed by node A on its own schedule: its held-sessions gauge says when.
    private static async Task WaitUntilHeldAsync(GatewayProcess node, int held)
    {
        using var http = TwoNodes.Http(node);
        using var timeout = new CancellationTokenSource(Timeouts.Step);
        while (true)
        {
            var metrics = await http.GetStringAsync("metrics", timeout.Token);
            if (HeldGauge().Match(metrics) is { Success: true } m && int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) == held)
            {
                return;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    [Fact]
    public async Task A_user_dropped_on_node_a_resumes_on_node_b_with_every_missed_event_once_in_order_even_while_a_room_is_busy()
    {
        await using var cluster = await TwoNodes.StartAsync();
        var alice = await cluster.TcpAsync(cluster.A, "alice");
        await alice.JoinAsync("dev");
        var bob = await cluster.TcpAsync(cluster.B, "bob");
        await bob.JoinAsync("dev");
        var carol = await cluster.TcpAsync(cluster.A, "carol");
        await carol.JoinAsync("dev");
        await carol.SendAsync("/join lobby"); // her lines go to the lobby again; she still hears dev
        await alice.SendAsync("/session");
        var token = (await alice.ReadUntilAsync(l => l.StartsWith("* resume token: ", StringComparison.Ordinal)))["* resume token: ".Length..];

        await alice.DisposeAsync();
        await WaitUntilHeldAsync(cluster.A, 1);
        await bob.SendAsync("/join dev");
        await bob.SendAsync("m1 in dev");
        // Each step waits until node A has it (carol is there): room events and private messages travel on different
        // Redis channels, so only what A has delivered is in an order alice's held session can be held to.
        await carol.ReadUntilAsync("[dev] bob: m1 in dev");
        await bob.SendAsync("/msg alice m2 in private");
        await bob.SendAsync("/msg carol sync");
        await carol.ReadUntilAsync("[pm] bob: sync");
        await carol.SendAsync("m3 in the lobby");
        await bob.ReadUntilAsync("[lobby] carol: m3 in the lobby");

        // Carol keeps talking while the session moves from node A to node B: each line exactly once, in order.
        var back = await cluster.B.ConnectTcpAsync();
        await back.ReadWelcomeAsync();
        using var resumed = new CancellationTokenSource();
        var talking = Task.Run(async () =>
        {
            var sent = 0;
            while (!resumed.IsCancellationRequested || sent < 20)
            {
                await carol.SendAsync($"busy {sent++}");
                await Task.Delay(1); // a steady stream across the handover, not one burst before it
            }

            return sent;
        });
        await back.SendAsync("/resume " + token);
        var replay = new List<string>();
        await back.ReadUntilAsync(l =>
        {
            replay.Add(l);
            return l.StartsWith("* resumed: ", StringComparison.Ordinal);
        });
        await resumed.CancelAsync();
        var busy = await talking;
        await carol.SendAsync("the end");
        await back.ReadUntilAsync(l =>
        {
            replay.Add(l);
            return l == "[lobby] carol: the end";
        });

        var missed = replay.SkipWhile(l => !l.Contains("m1 in dev", StringComparison.Ordinal)).Where(l => !l.StartsWith("* resumed: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["[dev] bob: m1 in dev", "[pm] bob: m2 in private", "[lobby] carol: m3 in the lobby", .. Enumerable.Range(0, busy).Select(i => $"[lobby] carol: busy {i}"), "[lobby] carol: the end"],
            missed);

        // The same member, now on node B; nobody saw alice leave or join.
        await back.SendAsync("back on b");
        await bob.ReadUntilAsync("[dev] alice: back on b");
        var bobs = await bob.SyncAsync();
        Assert.DoesNotContain(bobs, l => l.Contains("alice left", StringComparison.Ordinal) || l.Contains("alice joined", StringComparison.Ordinal));
        await WaitUntilHeldAsync(cluster.A, 0);
        using var http = TwoNodes.Http(cluster.A);
        var users = await http.GetFromJsonAsync<JsonElement>("api/users");
        var listed = users.EnumerateArray().Where(u => u.GetProperty("nick").GetString() == "alice").ToList();
        Assert.Single(listed);
        Assert.Equal("tcp", listed[0].GetProperty("via").GetString());

        // Spent: the token is refused on either node; alice's nick is still hers.
        var again = await cluster.A.ConnectTcpAsync();
        await again.ReadWelcomeAsync();
        await again.ExpectErrorAsync("/resume " + token, "bad_argument");
        await again.ExpectErrorAsync("/nick alice", "nick_taken");
    }

    [GeneratedRegex(@"^socketgateway_sessions_held(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex HeldGauge();
}
