using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

/// <summary>The line protocol over TLS, with a self-signed certificate made by the test.</summary>
public sealed class TlsListenerTests
{
    [Fact]
    public async Task A_renewed_certificate_file_is_served_to_new_connections_without_a_restart_and_a_broken_one_is_not()
    {
        using var certificate = await TestCertificate.CreateAsync();
        var logs = new CapturingLoggerProvider(LogLevel.Warning);
        await using var host = await GatewayHost.StartAsync(certificate.Settings(), logging => logging.AddProvider(logs));
        var (before, connected) = await HandshakeAsync(host);
        await using (connected)
        {
            await certificate.RenewAsync();
            var (renewed, next) = await HandshakeAsync(host);
            await using (next)
            {
                Assert.NotEqual(before, renewed);
                await AssertChatsAsync(connected); // a connection made before the renewal goes on
            }

            // A file caught half written (or with the wrong password) keeps the certificate that works.
            await File.WriteAllTextAsync(certificate.Path, "not a certificate");
            var (kept, last) = await HandshakeAsync(host);
            await using (last)
            {
                Assert.Equal(renewed, kept);
                Assert.Contains(logs.Entries, e => e.Contains("could not be loaded", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task A_certificate_mounted_as_a_secret_is_reloaded_when_the_mount_swaps_its_version()
    {
        using var certificate = await TestCertificate.CreateMountedAsync();
        await using var host = await GatewayHost.StartAsync(certificate.Settings());
        var (before, first) = await HandshakeAsync(host);
        await first.DisposeAsync();

        // The link tls.pfx itself does not change: only the directory ..data points to.
        await certificate.RenewAsync();
        var (renewed, second) = await HandshakeAsync(host);
        await second.DisposeAsync();
        Assert.NotEqual(before, renewed);
    }

    private static async Task<(string Thumbprint, SslStream Stream)> HandshakeAsync(GatewayHost host)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", host.TlsPort).WaitAsync(Timeouts.Step);
        var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(Timeouts.Step);
        return (tls.RemoteCertificate!.GetCertHashString(), tls);
    }

    [Fact]
    public async Task A_tls_client_gets_the_welcome_and_can_chat()
    {
        using var certificate = await TestCertificate.CreateAsync();
        await using var host = await GatewayHost.StartAsync(certificate.Settings());
        Assert.NotEqual(0, host.TlsPort);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", host.TlsPort).WaitAsync(Timeouts.Step);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(Timeouts.Step);
        Assert.True(tls.IsAuthenticated);
        Assert.Equal("CN=localhost", tls.RemoteCertificate?.Subject);
        await AssertChatsAsync(tls);

        // Plain text to the TLS port is not a chat session.
        using var plain = new TcpClient();
        await plain.ConnectAsync("127.0.0.1", host.TlsPort).WaitAsync(Timeouts.Step);
        await plain.GetStream().WriteAsync("/ping\n"u8.ToArray()).AsTask().WaitAsync(Timeouts.Step);
        var buffer = new byte[256];
        var read = await plain.GetStream().ReadAsync(buffer).AsTask().WaitAsync(Timeouts.Step);
        Assert.DoesNotContain("pong", Encoding.ASCII.GetString(buffer, 0, read));
    }

    [Fact]
    public async Task A_proxy_that_sends_its_header_and_the_client_hello_together_gets_a_tls_session()
    {
        using var certificate = await TestCertificate.CreateAsync();
        var settings = certificate.Settings();
        settings["Gateway:TrustedProxies:0"] = "127.0.0.1";
        await using var host = await GatewayHost.StartAsync(settings);

        // The bytes the server reads with the header are the start of the handshake: they must reach TLS.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", host.TlsPort).WaitAsync(Timeouts.Step);
        var header = Encoding.ASCII.GetBytes($"PROXY TCP4 203.0.113.8 127.0.0.1 40100 {host.TlsPort}\r\n");
        await using var tls = new SslStream(new FirstWriteWithPrefix(tcp.GetStream(), header), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(Timeouts.Step);
        var nick = await AssertChatsAsync(tls);
        Assert.Equal("203.0.113.8:40100", await ProxyTestClients.RemoteAddressAsync(host, nick));
    }

    public static TheoryData<string> TrustedHeaders => new()
    {
        "PROXY TCP4 203.0.113.9 127.0.0.1 40200 5556\r\n",
        Convert.ToBase64String(ProxyTestClients.V2Tcp4("203.0.113.9", 40200, "127.0.0.1", 5556)),
    };

    [Theory]
    [MemberData(nameof(TrustedHeaders))]
    public async Task A_trusted_proxy_s_v1_or_v2_header_before_the_handshake_gives_the_tls_user_the_client_address(string header)
    {
        using var certificate = await TestCertificate.CreateAsync();
        var settings = certificate.Settings();
        settings["Gateway:TrustedProxies:0"] = "127.0.0.1";
        await using var host = await GatewayHost.StartAsync(settings);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", host.TlsPort).WaitAsync(Timeouts.Step);
        await tcp.GetStream().WriteAsync(HeaderBytes(header)).AsTask().WaitAsync(Timeouts.Step);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(Timeouts.Step);
        var nick = await AssertChatsAsync(tls);
        Assert.Equal("203.0.113.9:40200", await ProxyTestClients.RemoteAddressAsync(host, nick));
    }

    [Theory]
    [MemberData(nameof(TrustedHeaders))]
    public async Task An_untrusted_peer_s_header_is_refused_before_the_handshake_and_inside_tls_and_never_believed(string header)
    {
        using var certificate = await TestCertificate.CreateAsync();
        var settings = certificate.Settings();
        settings["Gateway:TrustedProxies:0"] = "192.0.2.1";
        await using var host = await GatewayHost.StartAsync(settings);
        await using var watcher = await host.ConnectTcpAsync("tlswatcher");

        // Where the ClientHello belongs: told in plain text, since no TLS session exists to say it in.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", host.TlsPort).WaitAsync(Timeouts.Step);
            await tcp.GetStream().WriteAsync(HeaderBytes(header)).AsTask().WaitAsync(Timeouts.Step);
            using var reader = new StreamReader(tcp.GetStream(), Encoding.UTF8);
            Assert.Equal("! bad_argument: a PROXY protocol header is accepted only from a trusted proxy; closing\n", await reader.ReadToEndAsync().WaitAsync(Timeouts.Step));
        }

        // As the first bytes of the TLS session: refused inside it.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", host.TlsPort).WaitAsync(Timeouts.Step);
            await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(Timeouts.Step);
            await tls.WriteAsync(HeaderBytes(header)).AsTask().WaitAsync(Timeouts.Step);
            using var reader = new StreamReader(tls, Encoding.UTF8);
            Assert.Equal("! bad_argument: a PROXY protocol header is accepted only from a trusted proxy; closing\n", await reader.ReadToEndAsync().WaitAsync(Timeouts.Step));
        }

        // Neither was ever a user: the watcher's next line is the marker's join.
        await using var marker = await host.ConnectTcpAsync();
        await marker.ReadWelcomeAsync();
        Assert.Equal($"[lobby] -> {marker.Nick} joined (tcp)", await watcher.ReadLineAsync());
    }

    private static byte[] HeaderBytes(string header) =>
        header.StartsWith("PROXY", StringComparison.Ordinal) ? Encoding.ASCII.GetBytes(header) : Convert.FromBase64String(header);

    /// <summary>Reads the welcome, pings, and returns the nick from the welcome.</summary>
    private static async Task<string> AssertChatsAsync(SslStream tls)
    {
        using var reader = new StreamReader(tls, Encoding.UTF8, leaveOpen: true);
        var welcome = await reader.ReadLineAsync().WaitAsync(Timeouts.Step);
        Assert.StartsWith("* welcome to SocketGateway — you are guest-", welcome);
        await tls.WriteAsync("/ping\n"u8.ToArray()).AsTask().WaitAsync(Timeouts.Step);
        await tls.FlushAsync().WaitAsync(Timeouts.Step);
        string? line;
        do
        {
            line = await reader.ReadLineAsync().WaitAsync(Timeouts.Step);
        }
        while (line is not null && line != "* pong");

        Assert.Equal("* pong", line);
        return welcome!["* welcome to SocketGateway — you are ".Length..].Split(';')[0];
    }

    /// <summary>Sends a prefix in the same write as the first bytes written, as a proxy forwarding a client does.</summary>
    private sealed class FirstWriteWithPrefix(Stream inner, byte[] prefix) : Stream
    {
        private byte[]? _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _prefix, null) is { } first)
            {
                return inner.WriteAsync((byte[])[.. first, .. buffer.Span], cancellationToken);
            }

            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
