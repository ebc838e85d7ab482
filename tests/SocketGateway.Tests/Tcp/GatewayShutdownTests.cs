using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>Idle line clients (TCP and /ws) do not hold up a shutdown; each is told and closed; nothing accepted is lost.</summary>
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
            await client.Closed.WaitAsync(Timeouts.Step);
        }
    }

    [Fact]
    public async Task On_a_stop_each_line_user_is_told_and_hears_of_nobody_leaving()
    {
        await using var host = await GatewayHost.StartAsync();
        var room = GatewayFixture.Unique("stop");
        LineClient[] clients =
        [
            await host.ConnectTcpAsync(GatewayFixture.Unique("stopa")),
            await host.ConnectTcpAsync(GatewayFixture.Unique("stopb")),
            await host.ConnectTcpAsync(GatewayFixture.Unique("stopc")),
            await host.ConnectWebSocketAsync(GatewayFixture.Unique("stopd")),
        ];
        foreach (var client in clients)
        {
            await client.JoinAsync(room);
        }

        foreach (var client in clients)
        {
            await client.SyncAsync();
        }

        await host.App.StopAsync().WaitAsync(Timeouts.Stop);
        foreach (var client in clients)
        {
            var lines = new List<string>();
            while (await client.ReadLineAsync(Timeouts.Step) is { } line)
            {
                lines.Add(line);
            }

            Assert.Equal(["* server shutting down"], lines.Where(l => !l.StartsWith($"[{room}] -> ", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Messages_sent_just_before_a_stop_are_in_the_history_after_a_restart()
    {
        var connection = GatewayHost.NewDatabase(out var path);

        // A long flush interval: whatever is stored, the final flush of the stop wrote it.
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Gateway"] = connection,
            ["Gateway:Storage:FlushIntervalMs"] = "60000",
        };
        var expected = new List<string>();
        var first = await GatewayHost.StartAsync(settings);
        try
        {
            var tcp = await first.ConnectTcpAsync("lasttcp");
            var ws = await first.ConnectWebSocketAsync("lastws");
            var hub = await first.ConnectHubAsync("lastweb");
            await tcp.JoinAsync("last-words");
            await ws.JoinAsync("last-words");
            await hub.InvokeAsync<JsonElement>("Join", "last-words");
            await tcp.SyncAsync();

            for (var i = 0; i < 100; i++)
            {
                var text = $"tcp {i}";
                expected.Add(text);
                await tcp.SendAsync(text);
            }

            for (var i = 0; i < 20; i++)
            {
                var text = $"ws {i}";
                expected.Add(text);
                await ws.SendAsync(text);
            }

            for (var i = 0; i < 20; i++)
            {
                var text = $"web {i}";
                expected.Add(text);
                await hub.InvokeAsync<JsonElement>("Send", "last-words", text);
            }

            // Relayed back means accepted and given an id; then stop at once, while the store still holds them.
            await tcp.ReadUntilAsync("[last-words] lasttcp: tcp 99");
            await ws.ReadUntilAsync("[last-words] lastws: ws 19");
            await tcp.ReadUntilAsync("[last-words] lastweb: web 19");

            var clock = Stopwatch.StartNew();
            await first.App.StopAsync().WaitAsync(TimeSpan.FromSeconds(5));
            await first.App.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}");

            foreach (var client in new[] { tcp, ws })
            {
                await client.ReadUntilAsync("* server shutting down");
                await client.AssertClosedAsync();
            }
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using (var second = await GatewayHost.StartAsync(settings))
        {
            using var http = second.CreateHttpClient();
            var history = await http.GetFromJsonAsync<JsonElement[]>("api/rooms/last-words/messages?limit=200").WaitAsync(Timeouts.Step);
            Assert.Equal(expected.Order(StringComparer.Ordinal), history!.Select(m => m.GetProperty("text").GetString()!).Order(StringComparer.Ordinal));
            var ids = history!.Select(m => m.GetProperty("id").GetInt64()).ToList();
            Assert.Equal(ids.Order(), ids);
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
