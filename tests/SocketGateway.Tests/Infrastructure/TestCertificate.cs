using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>A self-signed certificate for localhost in a PFX file of its own, deleted on dispose.</summary>
public sealed partial class TestCertificate : IDisposable
{
    public const string Password = "pw";

    // Set for a certificate laid out as a mounted secret: the directory that holds the links.
    private readonly string? _mount;

    private TestCertificate(string path, string? mount = null)
    {
        Path = path;
        _mount = mount;
    }

    public string Path { get; }

    public static async Task<TestCertificate> CreateAsync()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sg-{Guid.NewGuid():N}.pfx");
        await WriteNewAsync(path);
        return new TestCertificate(path);
    }

    /// <summary>
    /// Laid out as Kubernetes mounts a secret: <c>tls.pfx</c> is a link to <c>..data/tls.pfx</c>, <c>..data</c> a link to a
    /// directory of this version; a renewal writes a new directory and swaps <c>..data</c> in one rename.
    /// </summary>
    public static async Task<TestCertificate> CreateMountedAsync()
    {
        var mount = Directory.CreateTempSubdirectory("sg-secret-").FullName;
        var certificate = new TestCertificate(System.IO.Path.Combine(mount, "tls.pfx"), mount);
        await certificate.SwapMountedAsync();
        File.CreateSymbolicLink(certificate.Path, System.IO.Path.Combine("..data", "tls.pfx"));
        return certificate;
    }

    /// <summary>Replaces the file with a new certificate (a new key) for the same name, as a renewal does.</summary>
    public Task RenewAsync() => _mount is null ? WriteNewAsync(Path) : SwapMountedAsync();

    private async Task SwapMountedAsync()
    {
        var version = $"..{Guid.NewGuid():N}";
        Directory.CreateDirectory(System.IO.Path.Combine(_mount!, version));
        await WriteNewAsync(System.IO.Path.Combine(_mount!, version, "tls.pfx"));
        var next = System.IO.Path.Combine(_mount!, "..data_tmp");
        File.CreateSymbolicLink(next, version);
        // rename(2) replaces the link itself in one step (File.Move would follow it to the directory).
        if (Rename(next, System.IO.Path.Combine(_mount!, "..data")) != 0)
        {
            throw new IOException($"rename failed: {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string from,
        [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string to);

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

    public void Dispose()
    {
        if (_mount is null)
        {
            File.Delete(Path);
        }
        else
        {
            Directory.Delete(_mount, recursive: true);
        }
    }
}
