using System.Net.Sockets;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

/// <summary>Telnet negotiation, HTTP and random bytes sent to the real TCP port.</summary>
[Collection(GatewayCollection.Name)]
public sealed class HostileInputTests(GatewayFixture gateway)
{
    private GatewayHost Host => gateway.Host;

    [Fact]
    public async Task Telnet_negotiation_is_consumed_and_never_relayed()
    {
        var room = GatewayFixture.Unique("telnet");
        await using var telnet = await Host.ConnectTcpAsync(GatewayFixture.Unique("t"));
        await using var listener = await Host.ConnectTcpAsync(GatewayFixture.Unique("l"));
        await telnet.SendAsync($"/join {room}");
        await listener.SendAsync($"/join {room}");
        await listener.SyncAsync();
        await telnet.SyncAsync();

        // DO ECHO, WILL NAWS + SB NAWS, a split IAC, AYT, and text around them.
        byte[] first = [255, 253, 1, (byte)'h', (byte)'e', 255, 251, 31, 255, 250, 31, 0, 80, 0, 24, 255, 240, (byte)'l', 255];
        byte[] second = [246, (byte)'l', (byte)'o', (byte)'\r', (byte)'\n'];
        await telnet.SendRawAsync(first);
        await telnet.SendRawAsync(second);

        var line = await listener.ReadUntilAsync(l => l.StartsWith($"[{room}] {telnet.Nick}: ", StringComparison.Ordinal));
        Assert.Equal($"[{room}] {telnet.Nick}: hello", line);
        await telnet.SyncAsync();
    }

    [Fact]
    public async Task An_http_request_to_the_tcp_port_gets_an_error_line_and_is_closed()
    {
        await using var client = await Host.ConnectTcpAsync();
        await client.SendRawAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl\r\n\r\n"u8.ToArray());
        var line = await client.ReadUntilAsync(l => l.StartsWith('!'));
        Assert.Equal("! bad_argument: this port speaks the chat line protocol, not HTTP; closing", line);
        Assert.Null(await client.ReadLineAsync());
    }

    [Fact]
    public async Task A_chat_line_that_starts_like_http_is_an_ordinary_message()
    {
        await using var client = await Host.ConnectTcpAsync(GatewayFixture.Unique("g"));
        await client.SendAsync("GET me a coffee");
        await client.ReadUntilAsync($"[lobby] {client.Nick}: GET me a coffee");
    }

    [Fact]
    public async Task Random_bytes_to_the_tcp_port_never_hurt_the_gateway()
    {
        var random = new Random(6);
        var tasks = Enumerable.Range(0, 8).Select(async i =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", Host.TcpPort).WaitAsync(Timeouts.Step);
            var stream = tcp.GetStream();
            var bytes = new byte[64 * 1024];
            lock (random)
            {
                random.NextBytes(bytes);
            }

            // Some streams carry no newline at all, some many.
            if (i % 2 == 0)
            {
                for (var j = 0; j < bytes.Length; j += 97)
                {
                    bytes[j] = (byte)'\n';
                }
            }

            try
            {
                for (var offset = 0; offset < bytes.Length; offset += 4096)
                {
                    await stream.WriteAsync(bytes.AsMemory(offset, 4096)).AsTask().WaitAsync(Timeouts.Step);
                }
            }
            catch (IOException)
            {
                // The gateway may close a connection that sent an HTTP-looking line or nonsense: that is fine.
            }
        });
        await Task.WhenAll(tasks);

        // The gateway still serves everyone.
        await using var probe = await Host.ConnectTcpAsync(GatewayFixture.Unique("p"));
        await probe.SyncAsync();
    }
}
