using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>A client that never reads is dropped once its queue is full; everyone else keeps getting everything.</summary>
public sealed class TcpSlowConsumerTests
{
    private const string Room = "flood";
    private const int Messages = 2000;
    private const int Batch = 50;

    [Fact]
    public async Task A_never_reading_client_is_disconnected_while_the_readers_get_all_2000_messages_in_order()
    {
        // A short queue so the overflow comes soon; batches stay below it, so only a client that stops reading fills it.
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Limits:OutboundQueueLength"] = "64" });
        var sender = await host.ConnectTcpAsync("sender");
        var reader = await host.ConnectTcpAsync("reader");
        var wsReader = await host.ConnectWebSocketAsync("wsreader");
        LineClient[] readers = [sender, reader, wsReader];
        foreach (var client in readers)
        {
            await client.CommandAsync("/leave lobby");
            await client.JoinAsync(Room);
        }

        using var sleeper = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        await sleeper.ConnectAsync(IPAddress.Loopback, host.TcpPort).WaitAsync(Timeouts.Step);
        await sleeper.SendAsync("/nick sleeper\n/leave lobby\n/join flood\n"u8.ToArray()).WaitAsync(Timeouts.Step);
        await reader.ReadUntilAsync($"[{Room}] -> sleeper joined (tcp)");

        var padding = new string('p', 1000);
        var sawLeave = new bool[readers.Length];
        for (var first = 0; first < Messages; first += Batch)
        {
            var burst = new StringBuilder();
            for (var i = first; i < first + Batch; i++)
            {
                burst.Append(i.ToString("D4", null)).Append(' ').Append(padding).Append('\n');
            }

            await sender.SendRawAsync(Encoding.ASCII.GetBytes(burst.ToString()));
            for (var r = 0; r < readers.Length; r++)
            {
                sawLeave[r] |= await ExpectInOrderAsync(readers[r], first, first + Batch, padding);
            }
        }

        if (!sawLeave[1])
        {
            await reader.ReadUntilAsync($"[{Room}] <- sleeper left (disconnected)", TimeSpan.FromSeconds(20));
        }

        Assert.Equal([$"* members of {Room}: sender (tcp), reader (tcp), wsreader (ws)"], await reader.CommandAsync("/who"));
        await AssertClosedByServerAsync(sleeper);

        using var http = host.CreateHttpClient();
        var metrics = await http.GetStringAsync("metrics");
        Assert.Matches(@"socketgateway_slow_consumers_disconnected(_connection)?_total(\{[^}]*\})? [1-9]", metrics);
    }

    /// <summary>Reads messages first..end-1 and nothing but them, in order; other lines (presence) may come between.</summary>
    private static async Task<bool> ExpectInOrderAsync(LineClient client, int first, int end, string padding)
    {
        var sawLeave = false;
        for (var i = first; i < end; i++)
        {
            var line = await client.ReadUntilAsync(l =>
            {
                sawLeave |= l == $"[{Room}] <- sleeper left (disconnected)";
                return l.StartsWith($"[{Room}] sender: ", StringComparison.Ordinal);
            });
            Assert.Equal($"[{Room}] sender: {i:D4} {padding}", line);
        }

        return sawLeave;
    }

    private static async Task AssertClosedByServerAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Step);
        var buffer = new byte[64 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // A reset is as good as an orderly close: the server dropped it.
        }
    }
}
