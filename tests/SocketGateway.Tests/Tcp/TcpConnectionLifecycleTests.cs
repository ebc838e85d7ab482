using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>How a TCP connection ends, and that one connection never holds up the others.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TcpConnectionLifecycleTests(GatewayFixture fixture)
{
    [Fact]
    public async Task A_telnet_client_that_resets_its_connection_leaves_its_rooms()
    {
        var room = GatewayFixture.Unique("reset");
        var nick = GatewayFixture.Unique("rst");
        await using var watcher = await fixture.Host.ConnectTcpAsync(GatewayFixture.Unique("watch"));
        await watcher.JoinAsync(room);

        await using var telnet = await LineClient.ConnectTcpAsync(fixture.Host.TcpPort);
        byte[] willEcho = [0xFF, 0xFB, 0x01];
        await telnet.SendRawAsync((byte[])[.. willEcho, .. Encoding.ASCII.GetBytes($"/nick {nick}\r\n/join {room}\r\n")]);
        await telnet.ReadUntilAsync($"[{room}] -> {nick} joined (tcp)");
        await watcher.ReadUntilAsync($"[{room}] -> {nick} joined (tcp)");

        // A reset, not a FIN: the telnet filter's read fails rather than ends.
        var socket = telnet.Tcp!.Client;
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
        await watcher.ReadUntilAsync($"[{room}] <- {nick} left (disconnected)");
    }

    [Fact]
    public async Task A_client_that_keeps_sending_from_its_first_moment_does_not_keep_others_from_connecting()
    {
        using var flooder = new TcpClient();
        await flooder.ConnectAsync("127.0.0.1", fixture.Host.TcpPort).WaitAsync(Timeouts.Step);
        var stream = flooder.GetStream();
        using var stop = new CancellationTokenSource();
        var flood = Task.Run(async () =>
        {
            var blankLines = new byte[64 * 1024];
            Array.Fill(blankLines, (byte)'\n');
            try
            {
                while (true)
                {
                    await stream.WriteAsync(blankLines, stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
            }
        });

        try
        {
            await using var other = await LineClient.ConnectTcpAsync(fixture.Host.TcpPort);
            Assert.StartsWith("* welcome to SocketGateway", await other.ReadLineAsync(Timeouts.Step));
        }
        finally
        {
            await stop.CancelAsync();
            await flood.WaitAsync(Timeouts.Step);
        }
    }
}

/// <summary>Stopping the gateway while a client's command waits (here: for its message budget).</summary>
public sealed class TcpStopWhileWaitingTests
{
    [Fact]
    public async Task A_client_whose_lines_wait_for_their_budget_is_told_of_the_stop_and_closed()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Limits:MessageRate"] = "10",
            ["Gateway:Limits:MessageBurst"] = "5",
        });
        var client = await host.ConnectTcpAsync(GatewayFixture.Unique("budget"));
        var room = GatewayFixture.Unique("budget");
        await client.JoinAsync(room);
        var lines = string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i}\n"));
        await client.SendRawAsync(Encoding.UTF8.GetBytes(lines));
        // Past the burst: the reader now waits for tokens, 10 a second.
        await client.ReadUntilAsync($"[{room}] {client.Nick}: line 6");

        var clock = Stopwatch.StartNew();
        await host.App.StopAsync().WaitAsync(Timeouts.Stop);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"stopping took {clock.Elapsed}");
        await client.ReadUntilAsync("* server shutting down");
        await client.AssertClosedAsync();
    }
}
