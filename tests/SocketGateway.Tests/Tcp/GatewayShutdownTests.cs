using System.Diagnostics;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>Idle line clients (TCP and /ws) do not hold up a shutdown; each is told and closed.</summary>
public sealed class GatewayShutdownTests
{
    [Fact]
    public async Task A_gateway_with_idle_tcp_and_websocket_clients_stops_within_a_few_seconds()
    {
        await using var host = await GatewayHost.StartAsync();
        var tcp1 = await host.ConnectTcpAsync("idletcp1");
        var tcp2 = await host.ConnectTcpAsync("idletcp2");
        var ws1 = await host.ConnectWebSocketAsync("idlews1");
        var ws2 = await host.ConnectWebSocketAsync("idlews2");
        await tcp1.JoinAsync("quiet");
        await ws1.JoinAsync("quiet");
        LineClient[] clients = [tcp1, tcp2, ws1, ws2];
        foreach (var client in clients)
        {
            await client.SyncAsync();
        }

        var clock = Stopwatch.StartNew();
        await host.App.StopAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}");

        // Each client is told, then closed.
        foreach (var client in clients)
        {
            var lines = new List<string>();
            while (await client.ReadLineAsync(TimeSpan.FromSeconds(5)) is { } line)
            {
                lines.Add(line);
            }

            Assert.Contains("* server shutting down", lines);
            Assert.True(client.IsClosed);
        }
    }
}
