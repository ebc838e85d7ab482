using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Cluster;

/// <summary>Redis stopped mid-traffic and started again (empty, as a restarted cache would be) under two nodes.</summary>
public sealed class CrossNodeOutageTests
{
    [Fact]
    public async Task Without_redis_each_node_serves_its_own_and_when_it_is_back_delivery_resumes_with_no_duplicate_and_no_ghost()
    {
        await using var cluster = await TwoNodes.StartAsync();
        var alice = await cluster.TcpAsync(cluster.A, "alice");
        var carol = await cluster.TcpAsync(cluster.A, "carol");
        var bob = await cluster.TcpAsync(cluster.B, "bob");
        var dave = await cluster.TcpAsync(cluster.B, "dave");
        await alice.SendAsync("before");
        await bob.ReadUntilAsync("[lobby] alice: before");

        await cluster.Redis.StopAsync();
        using var httpA = TwoNodes.Http(cluster.A);
        using var httpB = TwoNodes.Http(cluster.B);
        await UntilAsync(httpA, "readyz", HttpStatusCode.ServiceUnavailable);

        // Same-node chat goes on, with no error to anyone; a user leaves and another comes while Redis is away.
        await alice.SendAsync("during");
        await carol.ReadUntilAsync("[lobby] alice: during");
        Assert.DoesNotContain(await alice.SyncAsync(), l => l.StartsWith('!'));
        await dave.SendAsync("/quit");
        await dave.ReadUntilAsync(l => l.StartsWith("* bye", StringComparison.Ordinal));
        var erin = await cluster.TcpAsync(cluster.B, "erin");

        await cluster.Redis.RestartAsync();
        await UntilAsync(httpA, "readyz", HttpStatusCode.OK);
        await UntilAsync(httpB, "readyz", HttpStatusCode.OK);

        // Cross-node delivery resumes by itself (the subscription is restored a moment after the connection).
        var probe = Stopwatch.StartNew();
        for (var i = 0; ; i++)
        {
            await alice.SendAsync($"probe {i}");
            try
            {
                await bob.ReadUntilAsync(l => l.StartsWith("[lobby] alice: probe ", StringComparison.Ordinal), TimeSpan.FromMilliseconds(500));
                break;
            }
            catch (TimeoutException)
            {
                Assert.True(probe.Elapsed < Timeouts.Start, "cross-node delivery did not resume");
            }
        }

        // Then each message exactly once, in order, both ways.
        for (var i = 0; i < 20; i++)
        {
            await alice.SendAsync($"from a {i}");
            await bob.SendAsync($"from b {i}");
        }

        await alice.SendAsync("from a end");
        await bob.SendAsync("from b end");
        var atBob = await LinesUntilAsync(bob, "[lobby] alice: from a end");
        var atAlice = await LinesUntilAsync(alice, "[lobby] bob: from b end");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"[lobby] alice: from a {i}"), atBob.Where(l => l.StartsWith("[lobby] alice: from a ", StringComparison.Ordinal) && !l.EndsWith(" end", StringComparison.Ordinal)));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"[lobby] bob: from b {i}"), atAlice.Where(l => l.StartsWith("[lobby] bob: from b ", StringComparison.Ordinal) && !l.EndsWith(" end", StringComparison.Ordinal)));

        // No ghost (dave) and no one missing (erin): every node comes to list the users as they are. Each node
        // rewrites its own users when it is back, which no event tells another node about: the list is asked again.
        foreach (var http in new[] { httpA, httpB })
        {
            var clock = Stopwatch.StartNew();
            string[] listed;
            while (true)
            {
                var users = await http.GetFromJsonAsync<JsonElement>("api/users");
                listed = [.. users.EnumerateArray().Select(u => u.GetProperty("nick").GetString()!).Order(StringComparer.Ordinal)];
                if (listed.SequenceEqual(["alice", "bob", "carol", "erin"]) || clock.Elapsed > TimeSpan.FromSeconds(TwoNodes.NodeTimeoutSeconds + 5))
                {
                    break;
                }

                await Task.Delay(100);
            }

            Assert.Equal(["alice", "bob", "carol", "erin"], listed);
        }

        // And the nicks are claimed again: erin's (taken while Redis was away) is not free on node A.
        await carol.SendAsync("/nick erin");
        await carol.ReadUntilAsync(l => l.StartsWith("! nick_taken:", StringComparison.Ordinal));
        Assert.NotNull(erin);
    }

    private static async Task<List<string>> LinesUntilAsync(LineClient client, string last)
    {
        var lines = new List<string>();
        await client.ReadUntilAsync(l =>
        {
            lines.Add(l);
            return l == last;
        });
        return lines;
    }

    private static async Task UntilAsync(HttpClient http, string path, HttpStatusCode expected)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync(path);
            if (response.StatusCode == expected)
            {
                return;
            }

            Assert.True(clock.Elapsed < Timeouts.Start, $"{path} stayed {(int)response.StatusCode}");
            await Task.Delay(100);
        }
    }
}
