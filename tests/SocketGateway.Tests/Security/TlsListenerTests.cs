using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

/// <summary>The line protocol over TLS, with a self-signed certificate made by the test.</summary>
public sealed class TlsListenerTests
{
    [Fact]
    public async Task A_tls_client_gets_the_welcome_and_can_chat()
    {
        var pfx = Path.Combine(Path.GetTempPath(), $"sg-{Guid.NewGuid():N}.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "pw"));
        }

        try
        {
            await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
            {
                ["Gateway:Tcp:TlsPort"] = "0",
                ["Gateway:Tcp:Certificate:Path"] = pfx,
                ["Gateway:Tcp:Certificate:Password"] = "pw",
            });
            Assert.NotEqual(0, host.TlsPort);

            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", host.TlsPort).WaitAsync(Timeouts.Step);
            await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(Timeouts.Step);
            Assert.True(tls.IsAuthenticated);
            Assert.Equal("CN=localhost", tls.RemoteCertificate?.Subject);

            using var reader = new StreamReader(tls, Encoding.UTF8);
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

            // Plain text to the TLS port is not a chat session.
            using var plain = new TcpClient();
            await plain.ConnectAsync("127.0.0.1", host.TlsPort).WaitAsync(Timeouts.Step);
            await plain.GetStream().WriteAsync("/ping\n"u8.ToArray()).AsTask().WaitAsync(Timeouts.Step);
            var buffer = new byte[256];
            var read = await plain.GetStream().ReadAsync(buffer).AsTask().WaitAsync(Timeouts.Step);
            Assert.DoesNotContain("pong", Encoding.ASCII.GetString(buffer, 0, read));
        }
        finally
        {
            File.Delete(pfx);
        }
    }
}
