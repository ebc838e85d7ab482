using System.Net.Sockets;
using System.Text;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

[Collection(GatewayCollection.Name)]
public sealed class TelnetTests(GatewayFixture fixture)
{
    [Fact]
    public async Task A_telnet_client_s_option_requests_are_refused_and_never_relayed()
    {
        var room = GatewayFixture.Unique("telnet");
        await using var watcher = await fixture.Host.ConnectTcpAsync(GatewayFixture.Unique("watcher"));
        await watcher.SendAsync($"/join {room}");

        using var telnet = new TcpClient();
        await telnet.ConnectAsync("127.0.0.1", fixture.Host.TcpPort).WaitAsync(Timeouts.Step);
        var stream = telnet.GetStream();
        // What a telnet client sends on connect: DO ECHO, WILL NAWS, WILL TERMINAL-TYPE, then a line.
        byte[] hello = [255, 253, 1, 255, 251, 31, 255, 251, 24, .. Encoding.ASCII.GetBytes($"/join {room}\r\nhi from telnet\r\n/ping\r\n")];
        await stream.WriteAsync(hello).AsTask().WaitAsync(Timeouts.Step);

        var received = await ReadUntilAsync(stream, "* pong\n");
        ByteSearch.Contains([255, 252, 1], received);   // WONT ECHO
        ByteSearch.Contains([255, 254, 31], received);  // DONT NAWS
        ByteSearch.Contains([255, 254, 24], received);  // DONT TERMINAL-TYPE

        var relayed = await watcher.ReadUntilAsync(l => l.EndsWith("hi from telnet", StringComparison.Ordinal));
        Assert.EndsWith(": hi from telnet", relayed);
        Assert.DoesNotContain('\uFFFD', relayed);
    }

    [Fact]
    public async Task Negotiation_that_starts_in_the_middle_of_a_line_after_plain_chat_is_filtered_from_there_on()
    {
        var room = GatewayFixture.Unique("telnet");
        await using var watcher = await fixture.Host.ConnectTcpAsync(GatewayFixture.Unique("watcher"));
        await watcher.SendAsync($"/join {room}");

        using var telnet = new TcpClient();
        await telnet.ConnectAsync("127.0.0.1", fixture.Host.TcpPort).WaitAsync(Timeouts.Step);
        var stream = telnet.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"/join {room}\r\nplain first\r\n/ping\r\nhalf a li")).AsTask().WaitAsync(Timeouts.Step);
        await ReadUntilAsync(stream, "* pong\n");
        await watcher.ReadUntilAsync(l => l.EndsWith(": plain first", StringComparison.Ordinal));

        // The rest of the line arrives with an option request (DO ECHO) and a NOP inside it.
        byte[] rest = [.. "ne"u8, 255, 253, 1, .. " and"u8, 255, 241, .. " more\r\n/ping\r\n"u8];
        await stream.WriteAsync(rest).AsTask().WaitAsync(Timeouts.Step);
        var received = await ReadUntilAsync(stream, "* pong\n");
        ByteSearch.Contains([255, 252, 1], received);   // WONT ECHO

        var relayed = await watcher.ReadUntilAsync(l => l.Contains("half a li", StringComparison.Ordinal));
        Assert.EndsWith(": half a line and more", relayed);
    }

    [Fact]
    public async Task A_line_end_after_ff_is_never_eaten_so_each_invalid_line_is_refused_on_its_own()
    {
        await using var raw = await fixture.Host.ConnectTcpAsync();
        // FF FE 0A would be IAC DONT <LF>: the newline must still end the first line.
        await raw.SendRawAsync((byte[])[.. "/nick "u8, 0xFF, 0xFE, (byte)'\n', .. "/join "u8, 0xC3, (byte)'\n']);
        var lines = await raw.SyncAsync();
        Assert.Equal(2, lines.Count(l => l.StartsWith("! bad_argument: the line is not valid UTF-8", StringComparison.Ordinal)));
        // Not telnet: no offer of binary mode, no explanation about telnet clients.
        Assert.DoesNotContain(lines, l => l.Contains("telnet", StringComparison.Ordinal) || l.Contains('\uFFFD'));
    }

    [Fact]
    public async Task A_telnet_client_is_offered_binary_mode_and_its_agreement_is_not_refused()
    {
        using var telnet = new TcpClient();
        await telnet.ConnectAsync("127.0.0.1", fixture.Host.TcpPort).WaitAsync(Timeouts.Step);
        var stream = telnet.GetStream();
        await stream.WriteAsync((byte[])[255, 253, 1, .. "/ping\r\n"u8]).AsTask().WaitAsync(Timeouts.Step);
        var received = await ReadUntilAsync(stream, "* pong\n");
        ByteSearch.Contains([255, 251, 0, 255, 253, 0], received); // WILL BINARY, DO BINARY

        await stream.WriteAsync((byte[])[255, 253, 0, 255, 251, 0, .. "/ping\r\n"u8]).AsTask().WaitAsync(Timeouts.Step);
        received = await ReadUntilAsync(stream, "* pong\n");
        Assert.Equal("* pong\n", Encoding.Latin1.GetString(received)); // no WONT/DONT BINARY: agreed
    }

    private static async Task<byte[]> ReadUntilAsync(NetworkStream stream, string marker)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Step);
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (!Encoding.Latin1.GetString([.. received]).Contains(marker, StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.True(read > 0, "the server closed the connection");
            received.AddRange(buffer.AsSpan(0, read));
        }

        return [.. received];
    }
}

file static class ByteSearch
{
    public static void Contains(byte[] expected, byte[] actual) =>
        Assert.True(actual.AsSpan().IndexOf(expected) >= 0, $"{Convert.ToHexString(expected)} not in {Convert.ToHexString(actual)}");
}
