using System.Diagnostics;
using System.Net;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Cluster;

/// <summary>
/// Cluster mode's node leases on a real redis-server, with real gateway processes: <c>/api/nodes</c>, a node that
/// dies, Redis going away and coming back, and the two health endpoints.
/// </summary>
public sealed class NodeLivenessTests
{
    private const int NodeTimeoutSeconds = 3;

    [Fact]
    public async Task Nodes_on_one_redis_list_each_other_with_their_users_and_a_killed_node_drops_out_within_its_timeout()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await StartNodeAsync(redis, "node-a");
        await using var b = await StartNodeAsync(redis, "node-b");
        await using var alice = await a.ConnectTcpAsync();
        await alice.LoginAsync("alice");

        using var http = Http(b);
        var both = await NodesUntilAsync(http, nodes => nodes.Count == 2 && Users(nodes, "node-a") == 1);
        Assert.Equal(["node-a", "node-b"], both.Select(n => n.GetProperty("name").GetString()));
        Assert.Equal(0, Users(both, "node-b"));
        Assert.All(both, n => Assert.True(n.GetProperty("startedAt").GetDateTimeOffset() <= n.GetProperty("lastSeen").GetDateTimeOffset()));

        var killed = Stopwatch.StartNew();
        await a.KillAsync();
        var alone = await NodesUntilAsync(http, nodes => nodes.Count == 1, TimeSpan.FromSeconds(NodeTimeoutSeconds + 5));
        Assert.Equal("node-b", alone[0].GetProperty("name").GetString());
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(NodeTimeoutSeconds + 5), $"node-a was listed {killed.Elapsed} after its death");
    }

    [Fact]
    public async Task Without_redis_a_node_serves_its_own_users_degraded_and_not_ready_then_rejoins_by_itself()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await StartNodeAsync(redis, "node-a");
        using var http = Http(node);
        await ReadinessUntilAsync(http, HttpStatusCode.OK);

        await redis.StopAsync();
        var (status, body) = await ReadinessUntilAsync(http, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("redis", body, StringComparison.Ordinal);
        using (var health = await http.GetAsync("healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("Degraded", await health.Content.ReadAsStringAsync());
        }

        // Same-node chat goes on with no error to anyone.
        await using (var alice = await node.ConnectTcpAsync())
        await using (var bob = await node.ConnectTcpAsync())
        {
            await alice.LoginAsync("alice");
            await bob.LoginAsync("bob");
            await alice.SendAsync("still here");
            await bob.ReadUntilAsync("[lobby] alice: still here");
        }

        await redis.RestartAsync();
        await ReadinessUntilAsync(http, HttpStatusCode.OK);
        var nodes = await NodesUntilAsync(http, list => list.Count == 1);
        Assert.Equal("node-a", nodes[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_node_started_while_redis_is_down_starts_degraded_and_joins_when_redis_comes()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.StopAsync();
        await using var node = await StartNodeAsync(redis, "late-node");
        using var http = Http(node);
        var (status, body) = await ReadinessUntilAsync(http, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("redis", body, StringComparison.Ordinal);
        await using (var alice = await node.ConnectTcpAsync())
        {
            await alice.LoginAsync("alice");
        }

        await redis.RestartAsync();
        await ReadinessUntilAsync(http, HttpStatusCode.OK);
        var nodes = await NodesUntilAsync(http, list => list.Count == 1);
        Assert.Equal("late-node", nodes[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_single_node_lists_itself_named_by_host_and_port_and_is_ready()
    {
        await using var host = await GatewayHost.StartAsync();
        await using var alice = await host.ConnectTcpAsync("alice");
        using var http = host.CreateHttpClient();
        var nodes = await NodesAsync(http);
        var only = Assert.Single(nodes);
        Assert.Equal($"{Environment.MachineName}:{host.HttpPort}", only.GetProperty("name").GetString());
        Assert.Equal(1, only.GetProperty("users").GetInt32());
        using var ready = await http.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    private static Task<GatewayProcess> StartNodeAsync(RedisServer redis, string name) =>
        GatewayProcess.StartAsync(GatewayHost.NewDatabase(out _), new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = redis.Configuration,
            ["Gateway__Cluster__NodeName"] = name,
            ["Gateway__Cluster__NodeTimeoutSeconds"] = NodeTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    private static HttpClient Http(GatewayProcess node) => new() { BaseAddress = new Uri($"http://127.0.0.1:{node.HttpPort}/") };

    private static int Users(IReadOnlyList<JsonElement> nodes, string name) =>
        nodes.Where(n => n.GetProperty("name").GetString() == name).Select(n => n.GetProperty("users").GetInt32()).DefaultIfEmpty(-1).First();

    private static async Task<IReadOnlyList<JsonElement>> NodesAsync(HttpClient http)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("api/nodes"));
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    // Leases are renewed on a timer and expire on Redis's clock: there is no event to await, so the list is asked again.
    private static async Task<IReadOnlyList<JsonElement>> NodesUntilAsync(HttpClient http, Func<IReadOnlyList<JsonElement>, bool> done, TimeSpan? limit = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var nodes = await NodesAsync(http);
            if (done(nodes))
            {
                return nodes;
            }

            Assert.True(clock.Elapsed < (limit ?? Timeouts.Start), $"the nodes never became as expected: {string.Join(", ", nodes)}");
            await Task.Delay(100);
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> ReadinessUntilAsync(HttpClient http, HttpStatusCode expected)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync("readyz");
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == expected)
            {
                return (response.StatusCode, body);
            }

            Assert.True(clock.Elapsed < Timeouts.Start, $"/readyz stayed {(int)response.StatusCode}: {body}");
            await Task.Delay(100);
        }
    }
}
