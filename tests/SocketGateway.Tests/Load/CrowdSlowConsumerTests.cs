using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;
using Xunit.Abstractions;

namespace SocketGateway.Tests.Load;

/// <summary>
/// One client never reads while a thousand others chat: it alone is dropped, and every one of the thousand gets every
/// message of its room, in order. The thousand sit in ten rooms of a hundred with two publishers each; a busy room
/// with a reader, a publisher and the never-reading client carries the flood that overflows it.
/// </summary>
[Collection(IsolatedCollection.Name)]
public sealed class CrowdSlowConsumerTests(ITestOutputHelper output)
{
    private const int Crowd = 1000;
    private const int CrowdRooms = 10;
    private const int PublishersPerRoom = 2;
    private const int MessagesPerPublisher = 10;

    [Fact]
    public async Task A_never_reading_client_is_dropped_while_a_thousand_others_get_every_message()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Limits:OutboundQueueLength"] = "64",
            ["Gateway:Rooms:PresenceNoticeLimit"] = "10",
        });
        var clock = Stopwatch.StartNew();
        var crowd = await ConnectCrowdAsync(host);
        output.WriteLine($"{Crowd} clients connected and joined in {clock.Elapsed.TotalSeconds:F1} s");

        var busyReader = await host.ConnectTcpAsync("busyreader");
        var busyPublisher = await host.ConnectTcpAsync("busypub");
        await busyReader.JoinAsync("busy");
        await busyPublisher.JoinAsync("busy");
        using var sleeper = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        await sleeper.ConnectAsync(IPAddress.Loopback, host.TcpPort).WaitAsync(Timeouts.Step);
        await sleeper.SendAsync("/nick sleeper\n/join busy\n"u8.ToArray()).WaitAsync(Timeouts.Step);
        await busyReader.ReadUntilAsync("[busy] -> sleeper joined (tcp)");

        clock.Restart();
        var chat = Task.WhenAll(Enumerable.Range(0, CrowdRooms).Select(room => ChatAsync(crowd, room)));
        var sent = await FloodUntilDroppedAsync(busyPublisher, busyReader).WaitAsync(TimeSpan.FromSeconds(60));
        await chat.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"the crowd chatted and the flood dropped the sleeper in {clock.Elapsed.TotalSeconds:F1} s, after {sent} flood messages");

        Assert.Equal(["* members of busy: busyreader (tcp), busypub (tcp)"], await busyReader.CommandAsync("/who"));
        await AssertClosedByServerAsync(sleeper);
        using var http = host.CreateHttpClient();
        Assert.Matches(@"socketgateway_slow_consumers_disconnected(_connection)?_total(\{[^}]*\})? [1-9]", await http.GetStringAsync("metrics"));
        Assert.Equal(Crowd + 2, host.Chat.Nicks.Count);
    }

    /// <summary>Every tenth one over /ws, the rest TCP; member i is in room i % 10.</summary>
    private static async Task<LineClient[]> ConnectCrowdAsync(GatewayHost host)
    {
        var crowd = new LineClient[Crowd];
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(Enumerable.Range(0, Crowd).Select(async i =>
        {
            await gate.WaitAsync(Timeouts.Step);
            try
            {
                var client = i % 10 == 0 ? await host.ConnectWebSocketAsync() : await host.ConnectTcpAsync();
                await client.ReadWelcomeAsync();
                await client.SendAsync($"/join crowd-{i % CrowdRooms}");
                await client.SyncAsync();
                crowd[i] = client;
            }
            finally
            {
                gate.Release();
            }
        })).WaitAsync(TimeSpan.FromSeconds(60));
        return crowd;
    }

    /// <summary>Two members of the room publish; every member of it must see all their messages, each publisher's in order.</summary>
    private static async Task ChatAsync(LineClient[] crowd, int room)
    {
        var members = crowd.Where((_, i) => i % CrowdRooms == room).ToArray();
        var publishers = members.Take(PublishersPerRoom).ToArray();
        var sends = publishers.Select(async (publisher, p) =>
        {
            for (var m = 0; m < MessagesPerPublisher; m++)
            {
                await publisher.SendAsync($"c{room} p{p} m{m}");
            }
        });
        var reads = members.Select(async member =>
        {
            var texts = new List<string>();
            var prefix = $"[crowd-{room}] ";
            await member.ReadUntilAsync(line =>
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal) && line.Contains($": c{room} p", StringComparison.Ordinal))
                {
                    texts.Add(line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
                }

                return texts.Count == PublishersPerRoom * MessagesPerPublisher;
            }, TimeSpan.FromSeconds(30));
            for (var p = 0; p < PublishersPerRoom; p++)
            {
                Assert.Equal(
                    Enumerable.Range(0, MessagesPerPublisher).Select(m => $"c{room} p{p} m{m}"),
                    texts.Where(t => t.StartsWith($"c{room} p{p} ", StringComparison.Ordinal)));
            }
        });
        await Task.WhenAll(sends.Concat(reads));
    }

    /// <summary>
    /// Bursts of 1 KB messages until the never-reading client is dropped (at most 4000, then its drop is awaited); returns how many. The next
    /// burst waits for the reader of the room to get the last one in order, so only a client that stops reading
    /// fills its queue. The reader must get every message, in order.
    /// </summary>
    private static async Task<int> FloodUntilDroppedAsync(LineClient publisher, LineClient reader)
    {
        const int Burst = 50;
        var padding = new string('p', 1000);
        var sent = 0;
        var next = 0;
        var dropped = false;
        while (!dropped)
        {
            if (sent >= 4000)
            {
                // Its queue overflowed long ago: it was told, and is cut off after the grace period.
                await reader.ReadUntilAsync("[busy] <- sleeper left (disconnected)");
                break;
            }

            var burst = new StringBuilder();
            for (var i = 0; i < Burst; i++)
            {
                burst.Append(sent++).Append(' ').Append(padding).Append('\n');
            }

            await publisher.SendRawAsync(Encoding.ASCII.GetBytes(burst.ToString()));
            await reader.ReadUntilAsync(line =>
            {
                dropped |= line == "[busy] <- sleeper left (disconnected)";
                if (!line.StartsWith("[busy] busypub: ", StringComparison.Ordinal))
                {
                    return false;
                }

                Assert.Equal($"[busy] busypub: {next} {padding}", line);
                return ++next == sent;
            });
        }

        return sent;
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
