using System.Net;
using SocketGateway.Tests.Bridges;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.Cluster;

/// <summary>Bridges on two real gateway processes: one node runs each, every node shows and uses it, another takes it over.</summary>
public sealed class CrossNodeBridgeTests
{
    private static readonly Dictionary<string, string> FastBackoff = new()
    {
        ["Gateway__Bridges__InitialBackoffSeconds"] = "0.05",
        ["Gateway__Bridges__MaxBackoffSeconds"] = "0.5",
    };

    [Fact]
    public async Task One_node_runs_a_bridge_both_use_it_and_the_other_takes_it_over_when_that_node_dies()
    {
        await using var service = FramedService.Start();
        await using var cluster = await TwoNodes.StartAsync(FastBackoff);
        using var onA = TwoNodes.Http(cluster.A);
        using var onB = TwoNodes.Http(cluster.B);
        var bob = await cluster.TcpAsync(cluster.B, "bob");
        await bob.JoinAsync("ops");

        var id = (await BridgeTests.CreateAsync(onA, "ops", service.Port)).GetProperty("id").GetString()!;
        await using var first = await service.AcceptAsync();
        await bob.ReadUntilAsync("[ops] -> buildlog joined (bridge)");
        var seenFromB = await BridgeTests.WaitForAsync(onB, id, b => b.GetProperty("state").GetString() == "up");
        Assert.Equal("node-a", seenFromB.GetProperty("node").GetString());
        await first.SendAsync("from the service");
        await bob.ReadUntilAsync("[ops] buildlog: from the service");
        await bob.SendAsync("from node b");
        Assert.Equal("from node b", await first.ReadAsync());
        var sinceA = await BridgeTests.WaitForAsync(onB, id, b => b.GetProperty("framesOut").GetInt64() == 1);
        Assert.Equal(1, sinceA.GetProperty("framesIn").GetInt64());

        // kill -9: node A's lease runs out and node B takes the bridge (retrying while A's claims are still on Redis).
        await cluster.A.KillAsync();
        var taken = await BridgeTests.WaitForAsync(onB, id,
            b => b.GetProperty("node").GetString() == "node-b" && b.GetProperty("state").GetString() == "up", Timeouts.Start);
        Assert.Equal("ops", taken.GetProperty("room").GetString());
        await using var second = await service.AcceptLatestAsync();
        await bob.ReadUntilAsync("[ops] -> buildlog joined (bridge)");
        await second.SendAsync("after the takeover");
        await bob.ReadUntilAsync("[ops] buildlog: after the takeover");
        await bob.SendAsync("still here");
        Assert.Equal("still here", await second.ReadAsync());
    }

    [Fact]
    public async Task A_bridge_removed_on_the_node_that_does_not_run_it_stops_on_the_one_that_does()
    {
        await using var service = FramedService.Start();
        await using var cluster = await TwoNodes.StartAsync(FastBackoff);
        using var onA = TwoNodes.Http(cluster.A);
        using var onB = TwoNodes.Http(cluster.B);
        var alice = await cluster.TcpAsync(cluster.A, "alice");
        await alice.JoinAsync("ops");
        var id = (await BridgeTests.CreateAsync(onA, "ops", service.Port)).GetProperty("id").GetString()!;
        await using var connection = await service.AcceptAsync();
        await alice.ReadUntilAsync("[ops] -> buildlog joined (bridge)");
        await BridgeTests.WaitForAsync(onB, id, b => b.GetProperty("state").GetString() == "up");

        Assert.Equal(HttpStatusCode.NoContent, (await onB.DeleteAsync($"api/bridges/{id}")).StatusCode);
        await connection.AssertClosedAsync();
        await alice.ReadUntilAsync(l => l.StartsWith("[ops] <- buildlog left (quit", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await onA.GetAsync($"api/bridges/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await onB.GetAsync($"api/bridges/{id}")).StatusCode);
    }
}
