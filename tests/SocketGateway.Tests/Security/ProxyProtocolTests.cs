using System.Net;
using System.Text;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

/// <summary>The tests connect from 127.0.0.1, so this gateway trusts 127.0.0.1 as its proxy.</summary>
public sealed class TrustedProxyGateway() : SeparateGatewayFixture(new Dictionary<string, string?>
{
    ["Gateway:TrustedProxies:0"] = "127.0.0.1",
    ["Gateway:Tcp:ProxyHeaderTimeoutSeconds"] = "1",
    ["Gateway:Limits:MaxConnectionsPerIp"] = "1",
    ["Gateway:Limits:ConnectionRatePerIp"] = "0",
});

/// <summary>This one trusts some other address, so the tests' 127.0.0.1 is an untrusted peer.</summary>
public sealed class UntrustedProxyGateway() : SeparateGatewayFixture(new Dictionary<string, string?>
{
    ["Gateway:TrustedProxies:0"] = "192.0.2.1",
});

/// <summary>PROXY protocol v1/v2 on the TCP port and X-Forwarded-For on HTTP, from a trusted proxy.</summary>
public sealed class TrustedProxyTests(TrustedProxyGateway gateway) : IClassFixture<TrustedProxyGateway>
{
    private GatewayHost Host => gateway.Host;

    [Fact]
    public async Task A_v1_header_gives_the_user_the_client_address()
    {
        await using var client = await ProxyTestClients.ConnectAsync(Host, "PROXY TCP4 203.0.113.7 192.0.2.1 40000 5555\r\n"u8.ToArray());
        await client.ReadWelcomeAsync();
        Assert.Equal("203.0.113.7:40000", await ProxyTestClients.RemoteAddressAsync(Host, client.Nick));
    }

    [Fact]
    public async Task A_v2_header_sent_in_pieces_gives_the_user_the_client_address()
    {
        var header = ProxyTestClients.V2Tcp6("2001:db8::9", 41000, "2001:db8::1", 5555);
        await using var client = await LineClient.ConnectTcpAsync(Host.TcpPort);
        await client.SendRawAsync(header.AsMemory(0, 5));
        await client.SendRawAsync(header.AsMemory(5, 10));
        await client.SendRawAsync(header.AsMemory(15));
        await client.ReadWelcomeAsync();
        Assert.Equal("[2001:db8::9]:41000", await ProxyTestClients.RemoteAddressAsync(Host, client.Nick));
        await client.SendAsync("hello through the proxy");
        await client.ReadUntilAsync($"[lobby] {client.Nick}: hello through the proxy");
    }

    [Fact]
    public async Task Per_address_limits_count_the_client_address_not_the_proxy()
    {
        // Loopback is exempt, so without the header these would all be admitted; with it, 198.51.100.1 may hold one.
        await using var first = await ProxyTestClients.ConnectAsync(Host, "PROXY TCP4 198.51.100.1 192.0.2.1 1000 5555\r\n"u8.ToArray());
        await first.ReadWelcomeAsync();
        await using var second = await ProxyTestClients.ConnectAsync(Host, "PROXY TCP4 198.51.100.1 192.0.2.1 1001 5555\r\n"u8.ToArray());
        Assert.Equal("! rate_limited: too many connections from your address", await second.ReadLineAsync());
        Assert.Null(await second.ReadLineAsync());
        await using var other = await ProxyTestClients.ConnectAsync(Host, ProxyTestClients.V2Tcp4("198.51.100.2", 1002, "192.0.2.1", 5555));
        await other.ReadWelcomeAsync();
    }

    [Fact]
    public async Task A_trusted_proxy_connection_without_a_header_is_refused()
    {
        await using var client = await ProxyTestClients.ConnectAsync(Host, "hello\n"u8.ToArray());
        Assert.Equal("! bad_argument: expected a valid PROXY protocol header from this proxy; closing", await client.ReadLineAsync());
        Assert.Null(await client.ReadLineAsync());
    }

    [Fact]
    public async Task A_trusted_proxy_connection_that_sends_nothing_is_closed_after_the_header_timeout()
    {
        await using var client = await LineClient.ConnectTcpAsync(Host.TcpPort);
        Assert.Equal("! bad_argument: no PROXY protocol header within 1 s; closing", await client.ReadLineAsync(TimeSpan.FromSeconds(5)));
        Assert.Null(await client.ReadLineAsync());
    }

    [Fact]
    public async Task X_forwarded_for_from_the_trusted_proxy_gives_a_websocket_user_the_client_address()
    {
        await using var client = await Host.ConnectWebSocketAsync(configure: o => o.SetRequestHeader("X-Forwarded-For", "192.0.2.200, 203.0.113.50"));
        await client.ReadWelcomeAsync();
        Assert.StartsWith("203.0.113.50:", await ProxyTestClients.RemoteAddressAsync(Host, client.Nick), StringComparison.Ordinal);
    }
}

/// <summary>The same headers from a peer that is not a trusted proxy change nothing.</summary>
public sealed class UntrustedProxyTests(UntrustedProxyGateway gateway) : IClassFixture<UntrustedProxyGateway>
{
    private GatewayHost Host => gateway.Host;

    public static TheoryData<string> Headers => new()
    {
        "PROXY TCP4 203.0.113.7 192.0.2.1 40000 5555\r\n",
        Convert.ToBase64String(ProxyTestClients.V2Tcp4("203.0.113.7", 40000, "192.0.2.1", 5555)),
        // 0xFF bytes in the addresses and ports look like telnet IAC: the header must be refused all the same.
        Convert.ToBase64String(ProxyTestClients.V2Tcp4("203.0.113.255", 65535, "192.0.2.255", 5555)),
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public async Task A_header_from_an_untrusted_peer_is_refused_and_never_believed(string header)
    {
        var bytes = header.StartsWith("PROXY", StringComparison.Ordinal) ? Encoding.ASCII.GetBytes(header) : Convert.FromBase64String(header);
        await using var client = await LineClient.ConnectTcpAsync(Host.TcpPort);
        await client.ReadWelcomeAsync();
        Assert.StartsWith("127.0.0.1:", await ProxyTestClients.RemoteAddressAsync(Host, client.Nick), StringComparison.Ordinal);

        await client.SendRawAsync(bytes);
        await client.ReadUntilAsync("! bad_argument: a PROXY protocol header is accepted only from a trusted proxy; closing");
        Assert.Null(await client.ReadLineAsync());
        using var http = Host.CreateHttpClient();
        using var response = await http.GetAsync("api/users");
        Assert.DoesNotContain("203.0.113.7", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_line_that_merely_starts_with_proxy_is_chat()
    {
        await using var client = await LineClient.ConnectTcpAsync(Host.TcpPort);
        await client.ReadWelcomeAsync();
        await client.SendAsync("PROXY servers are great");
        await client.ReadUntilAsync($"[lobby] {client.Nick}: PROXY servers are great");
    }

    [Fact]
    public async Task X_forwarded_for_from_an_untrusted_peer_is_ignored()
    {
        await using var client = await Host.ConnectWebSocketAsync(configure: o => o.SetRequestHeader("X-Forwarded-For", "203.0.113.50"));
        await client.ReadWelcomeAsync();
        Assert.StartsWith("127.0.0.1:", await ProxyTestClients.RemoteAddressAsync(Host, client.Nick), StringComparison.Ordinal);
    }
}

internal static class ProxyTestClients
{
    public static async Task<LineClient> ConnectAsync(GatewayHost host, byte[] header)
    {
        var client = await LineClient.ConnectTcpAsync(host.TcpPort);
        await client.SendRawAsync(header);
        return client;
    }

    public static async Task<string?> RemoteAddressAsync(GatewayHost host, string nick)
    {
        using var http = host.CreateHttpClient();
        using var response = await http.GetAsync("api/users");
        var users = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        return ApiAssert.Find(users, "nick", nick).GetProperty("remoteAddress").GetString();
    }

    public static byte[] V2Tcp4(string source, int sourcePort, string destination, int destinationPort) =>
        V2(0x11, source, sourcePort, destination, destinationPort);

    public static byte[] V2Tcp6(string source, int sourcePort, string destination, int destinationPort) =>
        V2(0x21, source, sourcePort, destination, destinationPort);

    private static byte[] V2(byte family, string source, int sourcePort, string destination, int destinationPort)
    {
        byte[] addresses = [.. IPAddress.Parse(source).GetAddressBytes(), .. IPAddress.Parse(destination).GetAddressBytes(),
            (byte)(sourcePort >> 8), (byte)sourcePort, (byte)(destinationPort >> 8), (byte)destinationPort];
        return [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, family, 0, (byte)addresses.Length, .. addresses];
    }
}
