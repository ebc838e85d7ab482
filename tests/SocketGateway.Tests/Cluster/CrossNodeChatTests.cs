using System.Net.Http.Json;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Cluster;

/// <summary>
/// Two gateway processes on one Redis and one PostgreSQL behave as one gateway: users on either node share rooms,
/// messages and room changes, and every member sees a room's messages in one order with increasing ids.
/// </summary>
public sealed class CrossNodeChatTests
{
    [Fact]
    public async Task Users_on_two_nodes_and_three_transports_share_rooms_messages_actions_and_room_changes()
    {
        await using var cluster = await TwoNodes.StartAsync();
        var alice = await cluster.TcpAsync(cluster.A, "alice");
        var bob = await cluster.HubAsync(cluster.B, "bob");
        var carol = await cluster.WebSocketAsync(cluster.B, "carol");

        await alice.SendAsync("hello from node a");
        var heard = await bob.NextAsync("message", m => m.GetProperty("text").GetString() == "hello from node a");
        Assert.Equal("alice", heard.GetProperty("from").GetString());
        Assert.Equal("tcp", heard.GetProperty("via").GetString());
        await carol.ReadUntilAsync("[lobby] alice: hello from node a");

        await bob.InvokeAsync<JsonElement>("Send", "lobby", "hello from node b");
        await alice.ReadUntilAsync("[lobby] bob: hello from node b");
        await carol.SendAsync("/me waves");
        await alice.ReadUntilAsync("[lobby] * carol waves");

        // A room made on node A is found, joined and talked in from node B.
        await alice.SendAsync("/join dev");
        await alice.ReadUntilAsync(l => l.Contains("alice joined", StringComparison.Ordinal));
        await carol.SendAsync("/join dev");
        try
        {
            await alice.ReadUntilAsync("[dev] -> carol joined (ws)");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\nA:\n" + cluster.A.Problems + "\nB:\n" + cluster.B.Problems + "\ncarol: " + string.Join("\n", await carol.SyncAsync()));
        }
        await carol.SendAsync("in dev from b");
        await alice.ReadUntilAsync("[dev] carol: in dev from b");

        // Room changes made through REST on node B reach a member on node A.
        using var http = TwoNodes.Http(cluster.B);
        using (var patched = await http.PatchAsJsonAsync("api/rooms/dev", new { topic = "cluster talk" }))
        {
            patched.EnsureSuccessStatusCode();
        }

        await alice.ReadUntilAsync(l => l.Contains("cluster talk", StringComparison.Ordinal));
        using (var closed = await http.DeleteAsync("api/rooms/dev?reason=done"))
        {
            closed.EnsureSuccessStatusCode();
        }

        await alice.ReadUntilAsync("* room dev was closed: done");
        await carol.ReadUntilAsync("* room dev was closed: done");
        await alice.SendAsync("/join dev");
        await alice.ReadUntilAsync(l => l.Contains("alice joined", StringComparison.Ordinal));
        // Made again on node A, it is listed on node B.
        await carol.SendAsync("/rooms");
        await carol.ReadUntilAsync(l => l.StartsWith("* rooms: ", StringComparison.Ordinal) && l.Contains("dev", StringComparison.Ordinal));
        // Node B's /metrics: its name, its Redis state, and what its bus published and received, all by node.
        var metrics = await http.GetStringAsync("metrics");
        Assert.Matches(@"socketgateway_node\{[^}]*node=""node-b""[^}]*\} 1", metrics);
        Assert.Matches(@"socketgateway_redis_connected(\{[^}]*\})? 1", metrics);
        Assert.Matches(@"socketgateway_bus_online(\{[^}]*\})? 1", metrics);
        foreach (var counter in new[] { "published", "received" })
        {
            var line = System.Text.RegularExpressions.Regex.Match(metrics, $@"socketgateway_bus_{counter}_total\{{[^}}]*node=""node-b""[^}}]*target=""room""[^}}]*\}} (\d+)");
            Assert.True(line.Success && long.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, $"no room events {counter} by node B in:\n{metrics}");
        }

        Assert.Matches(@"socketgateway_bus_publish_duration_seconds_count\{[^}]*node=""node-b""[^}]*\} [1-9]", metrics);
    }

    [Fact]
    public async Task Four_publishers_on_two_nodes_give_every_member_one_order_with_increasing_ids_and_one_history()
    {
        const int PerPublisher = 150;
        await using var cluster = await TwoNodes.StartAsync();
        var watchers = new List<LineClient>();
        foreach (var (node, nick) in new[] { (cluster.A, "wa1"), (cluster.A, "wa2"), (cluster.B, "wb1"), (cluster.B, "wb2") })
        {
            var watcher = await cluster.TcpAsync(node, nick);
            await watcher.SendAsync("/format json");
            await watcher.SendAsync("/join race");
            await watcher.ReadJsonAsync("joined", j => j.GetProperty("nick").GetString() == nick);
            watchers.Add(watcher);
        }

        var publishers = new List<LineClient>();
        foreach (var (node, nick) in new[] { (cluster.A, "pa1"), (cluster.A, "pa2"), (cluster.B, "pb1"), (cluster.B, "pb2") })
        {
            var publisher = await cluster.TcpAsync(node, nick);
            await publisher.SendAsync("/join race");
            await publisher.ReadUntilAsync(l => l.Contains($"{nick} joined", StringComparison.Ordinal));
            publishers.Add(publisher);
        }

        foreach (var watcher in watchers)
        {
            await watcher.ReadJsonAsync("joined", j => j.GetProperty("nick").GetString() == "pb2");
        }

        await Task.WhenAll(publishers.Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < PerPublisher; i++)
            {
                await p.SendAsync($"{p.Nick} {i}");
            }
        })));

        var sequences = await Task.WhenAll(watchers.Select(w => ReadMessagesAsync(w, publishers.Count * PerPublisher)));
        foreach (var (watcher, sequence) in watchers.Zip(sequences))
        {
            Assert.Equal(sequences[0].Select(m => (m.Id, m.Text)), sequence.Select(m => (m.Id, m.Text)));
            Assert.True(sequence.Zip(sequence.Skip(1)).All(pair => pair.First.Id < pair.Second.Id), $"{watcher.Nick} saw ids out of order");
        }

        // Nothing twice, nothing missing, and each publisher's own messages in the order it sent them.
        var texts = sequences[0].Select(m => m.Text).ToList();
        Assert.Equal(texts.Count, texts.Distinct(StringComparer.Ordinal).Count());
        foreach (var publisher in publishers)
        {
            var own = texts.Where(t => t.StartsWith(publisher.Nick + " ", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, PerPublisher).Select(i => $"{publisher.Nick} {i}"), own);
        }

        // The same history on either node, in the order the members saw (REST pages of 200 back from the newest).
        var expected = sequences[0].Select(m => m.Id).ToList();
        Assert.Equal(expected, await HistoryIdsAsync(cluster.A, expected.Count));
        Assert.Equal(expected, await HistoryIdsAsync(cluster.B, expected.Count));
    }

    private static async Task<List<(long Id, string Text)>> ReadMessagesAsync(LineClient watcher, int count)
    {
        var seen = new List<(long, string)>();
        while (seen.Count < count)
        {
            var message = await watcher.ReadJsonAsync("message", timeout: Timeouts.Start);
            seen.Add((message.GetProperty("id").GetInt64(), message.GetProperty("text").GetString()!));
        }

        return seen;
    }

    // Written in batches: what members saw live may take a commit interval to be in history.
    private static async Task<List<long>> HistoryIdsAsync(GatewayProcess node, int count)
    {
        using var http = TwoNodes.Http(node);
        var deadline = DateTime.UtcNow + Timeouts.Step;
        while (true)
        {
            var ids = new List<long>();
            long? before = null;
            while (ids.Count < count)
            {
                var page = await http.GetFromJsonAsync<JsonElement>($"api/rooms/race/messages?limit=200{(before is null ? "" : $"&before={before}")}");
                var pageIds = page.EnumerateArray().Select(m => m.GetProperty("id").GetInt64()).ToList();
                if (pageIds.Count == 0)
                {
                    break;
                }

                ids.InsertRange(0, pageIds);
                before = pageIds[0];
            }

            if (ids.Count >= count || DateTime.UtcNow > deadline)
            {
                return ids;
            }

            await Task.Delay(100);
        }
    }
}
