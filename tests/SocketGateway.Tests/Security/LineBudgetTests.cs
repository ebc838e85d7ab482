using System.Diagnostics;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

public sealed class FastBudgetGateway() : SeparateGatewayFixture(new Dictionary<string, string?>
{
    ["Gateway:Limits:MessageRate"] = "20",
    ["Gateway:Limits:MessageBurst"] = "2",
});

/// <summary>A TCP or WebSocket flood is slowed by not being read: nothing is dropped and the order is kept.</summary>
public sealed class LineBudgetTests(FastBudgetGateway gateway) : IClassFixture<FastBudgetGateway>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_flood_is_delayed_not_dropped_and_stays_in_order(bool webSocket)
    {
        var host = gateway.Host;
        var room = GatewayFixture.Unique("flood");
        var flooder = webSocket ? await host.ConnectWebSocketAsync(GatewayFixture.Unique("f")) : await host.ConnectTcpAsync(GatewayFixture.Unique("f"));
        var reader = await host.ConnectTcpAsync(GatewayFixture.Unique("r"));
        await reader.SendAsync($"/join {room}");
        await flooder.SendAsync($"/join {room}");
        await flooder.SyncAsync();
        await reader.SyncAsync();

        var clock = Stopwatch.StartNew();
        const int count = 12;
        for (var i = 0; i < count; i++)
        {
            await flooder.SendAsync($"n{i}");
        }

        var received = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var line = await reader.ReadUntilAsync(l => l.StartsWith($"[{room}] {flooder.Nick}: ", StringComparison.Ordinal));
            received.Add(line.Split(": ")[1]);
        }

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"n{i}"), received);
        // Two from the burst, then one every 50 ms: at least 10 × 50 ms.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(450), $"took only {clock.Elapsed}");
        await flooder.DisposeAsync();
        await reader.DisposeAsync();
    }
}
