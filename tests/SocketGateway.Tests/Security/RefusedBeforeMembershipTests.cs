using System.Net.Sockets;
using System.Text;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

/// <summary>
/// A connection that is refused never becomes a lobby member: it gets its one line and nobody sees it come or go.
/// Each test ends with a marker user joining the lobby, so "the watcher saw nothing before it" needs no sleep.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RefusedBeforeMembershipTests(GatewayFixture fixture)
{
    public static TheoryData<string, string> Probes => new()
    {
        { "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: scanner\r\n\r\n", "! bad_argument: this port speaks the chat line protocol, not HTTP; closing" },
        { "PROXY TCP4 203.0.113.7 192.0.2.1 40000 5555\r\n", "! bad_argument: a PROXY protocol header is accepted only from a trusted proxy; closing" },
        { Convert.ToBase64String(ProxyTestClients.V2Tcp4("203.0.113.7", 40000, "192.0.2.1", 5555)), "! bad_argument: a PROXY protocol header is accepted only from a trusted proxy; closing" },
    };

    [Theory]
    [MemberData(nameof(Probes))]
    public async Task A_probe_gets_its_one_line_and_the_lobby_sees_nothing(string probe, string refusal)
    {
        var bytes = probe.Contains(' ', StringComparison.Ordinal) ? Encoding.ASCII.GetBytes(probe) : Convert.FromBase64String(probe);
        await using var watcher = await fixture.Host.ConnectTcpAsync(GatewayFixture.Unique("watch"));

        Assert.Equal(refusal + "\n", await SendAndReadToEndAsync(bytes));
        await AssertLobbySawNothingAsync(watcher);
    }

    [Fact]
    public async Task A_probe_sent_a_byte_at_a_time_is_refused_all_the_same()
    {
        await using var watcher = await fixture.Host.ConnectTcpAsync(GatewayFixture.Unique("watch"));
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", fixture.Host.TcpPort).WaitAsync(Timeouts.Step);
        foreach (var b in "HEAD /x HTTP/1.0\r\n\r\n"u8.ToArray())
        {
            await tcp.GetStream().WriteAsync((byte[])[b]).AsTask().WaitAsync(Timeouts.Step);
        }

        Assert.Equal("! bad_argument: this port speaks the chat line protocol, not HTTP; closing\n", await ReadToEndAsync(tcp));
        await AssertLobbySawNothingAsync(watcher);
    }

    [Fact]
    public async Task A_connect_scan_that_closes_at_once_is_never_a_user()
    {
        await using var watcher = await fixture.Host.ConnectTcpAsync(GatewayFixture.Unique("watch"));
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", fixture.Host.TcpPort).WaitAsync(Timeouts.Step);
            var stream = tcp.GetStream();
            tcp.Client.Shutdown(SocketShutdown.Send);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            Assert.Equal("", await reader.ReadToEndAsync().WaitAsync(Timeouts.Step));
        }

        await AssertLobbySawNothingAsync(watcher);
    }

    [Fact]
    public async Task A_chat_client_that_sends_first_is_let_in_at_its_first_bytes()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", fixture.Host.TcpPort).WaitAsync(Timeouts.Step);
        await tcp.GetStream().WriteAsync("GET me a coffee\n/quit\n"u8.ToArray()).AsTask().WaitAsync(Timeouts.Step);
        var text = await ReadToEndAsync(tcp);
        Assert.StartsWith("* welcome to SocketGateway", text, StringComparison.Ordinal);
        Assert.Contains(": GET me a coffee\n", text, StringComparison.Ordinal);
    }

    private async Task AssertLobbySawNothingAsync(LineClient watcher)
    {
        await using var marker = await fixture.Host.ConnectTcpAsync();
        await marker.ReadWelcomeAsync();
        var before = new List<string>();
        await watcher.ReadUntilAsync(line =>
        {
            before.Add(line);
            return line.Contains(marker.Nick, StringComparison.Ordinal);
        });
        Assert.Equal([$"[lobby] -> {marker.Nick} joined (tcp)"], before);
    }

    private async Task<string> SendAndReadToEndAsync(byte[] bytes)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", fixture.Host.TcpPort).WaitAsync(Timeouts.Step);
        await tcp.GetStream().WriteAsync(bytes).AsTask().WaitAsync(Timeouts.Step);
        return await ReadToEndAsync(tcp);
    }

    private static async Task<string> ReadToEndAsync(TcpClient tcp)
    {
        using var reader = new StreamReader(tcp.GetStream(), Encoding.UTF8);
        return await reader.ReadToEndAsync().WaitAsync(Timeouts.Step);
    }
}
