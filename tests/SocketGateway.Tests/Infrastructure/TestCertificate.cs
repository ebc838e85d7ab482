using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>A self-signed certificate for localhost in a PFX file of its own, deleted on dispose.</summary>
public sealed class TestCertificate : IDisposable
{
    public const string Password = "pw";

    private TestCertificate(string path) => Path = path;

    public string Path { get; }

    public static async Task<TestCertificate> CreateAsync()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sg-{Guid.NewGuid():N}.pfx");
        await WriteNewAsync(path);
        return new TestCertificate(path);
    }

    /// <summary>Replaces the file with a new certificate (a new key) for the same name, as a renewal does.</summary>
    public Task RenewAsync() => WriteNewAsync(Path);

    private static async Task WriteNewAsync(string path)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        await File.WriteAllBytesAsync(path, certificate.Export(X509ContentType.Pfx, Password));
    }

    /// <summary>The gateway's keys for a TLS port on port 0 with this certificate.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Gateway:Tcp:TlsPort"] = "0",
        ["Gateway:Tcp:Certificate:Path"] = Path,
        ["Gateway:Tcp:Certificate:Password"] = Password,
    };

    public void Dispose() => File.Delete(Path);
}
