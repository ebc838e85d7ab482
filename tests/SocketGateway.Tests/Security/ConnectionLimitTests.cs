using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using SocketGateway.Core.Limits;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

public sealed class PerIpCapGateway() : SeparateGatewayFixture(new Dictionary<string, string?>
{
    ["Gateway:Limits:ExemptLoopback"] = "false",
    ["Gateway:Limits:MaxConnectionsPerIp"] = "2",
    ["Gateway:Limits:ConnectionRatePerIp"] = "0",
});

/// <summary>A flood of connections from one address: the cap holds, the refused are told why, a freed slot is reusable.</summary>
public sealed class ConnectionLimitTests(PerIpCapGateway gateway) : IClassFixture<PerIpCapGateway>
{
    [Fact]
    public async Task Connections_beyond_the_per_address_cap_get_one_error_line_and_are_closed()
    {
        var host = gateway.Host;
        await WaitUntilNoConnectionIsHeldAsync(host);
        var first = await host.ConnectTcpAsync();
        await first.ReadWelcomeAsync();
        var second = await host.ConnectWebSocketAsync();
        await second.ReadWelcomeAsync();

        for (var i = 0; i < 5; i++)
        {
            await using var refused = await host.ConnectTcpAsync();
            Assert.Equal("! rate_limited: too many connections from your address", await refused.ReadLineAsync());
            Assert.Null(await refused.ReadLineAsync());
        }

        await using (var refusedWs = await host.ConnectWebSocketAsync())
        {
            Assert.Equal("! rate_limited: too many connections from your address", await refusedWs.ReadLineAsync());
            Assert.Null(await refusedWs.ReadLineAsync());
        }

        // Refused connections never became users.
        Assert.Equal(2, host.Chat.Nicks.Count);

        await first.SendAsync("/quit");
        await first.ReadUntilAsync("* bye");
        Assert.Null(await first.ReadLineAsync());
        await WaitUntilAsync(() => host.Chat.Nicks.Count == 1);
        await using var third = await host.ConnectTcpAsync();
        await third.ReadWelcomeAsync();
        await second.DisposeAsync();
        await first.DisposeAsync();
    }

    [Fact]
    public async Task A_browser_hub_connection_beyond_the_cap_is_refused_with_429()
    {
        var host = gateway.Host;
        await WaitUntilNoConnectionIsHeldAsync(host);
        await using var a = await host.ConnectTcpAsync();
        await a.ReadWelcomeAsync();
        await using var b = await host.ConnectTcpAsync();
        await b.ReadWelcomeAsync();

        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{host.HttpPort}/hubs/chat"), CancellationToken.None).WaitAsync(Timeouts.Step));
        Assert.Equal(429, (int)socket.HttpStatusCode);
    }

    // The other test of this class may have just closed its connections: their admission leases are released
    // when each connection's handler ends, a moment after the peer saw the close.
    private static Task WaitUntilNoConnectionIsHeldAsync(GatewayHost host) =>
        WaitUntilAsync(() => host.App.Services.GetRequiredService<ConnectionGuard>().Count == 0);

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Step);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}

public sealed class ThrottleGateway() : SeparateGatewayFixture(new Dictionary<string, string?>
{
    ["Gateway:Limits:ExemptLoopback"] = "false",
    ["Gateway:Limits:ConnectionRatePerIp"] = "0.01",
    ["Gateway:Limits:ConnectionBurstPerIp"] = "3",
});

public sealed class ConnectionThrottleTests(ThrottleGateway gateway) : IClassFixture<ThrottleGateway>
{
    [Fact]
    public async Task New_connections_beyond_the_burst_are_throttled_even_when_the_earlier_ones_closed()
    {
        for (var i = 0; i < 3; i++)
        {
            await using var ok = await gateway.Host.ConnectTcpAsync();
            await ok.ReadWelcomeAsync();
        }

        await using var refused = await gateway.Host.ConnectTcpAsync();
        Assert.Equal("! rate_limited: too many new connections from your address; slow down", await refused.ReadLineAsync());
        Assert.Null(await refused.ReadLineAsync());
    }
}
