using System.Security.Cryptography.X509Certificates;

namespace SocketGateway.Tcp;

/// <summary>
/// The TLS chat port's certificate, read again when its file changes (a renewal by certbot or a secret mount), so
/// that a renewed certificate needs no restart. The file's stamp is checked at each handshake: one stat call beside
/// the handshake's own cost. A file that does not load (half written, wrong password) keeps the previous certificate
/// and is logged; the next change is tried again.
/// </summary>
public sealed partial class ReloadingCertificate
{
    private readonly string _path;
    private readonly string? _password;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private X509Certificate2 _current;
    private (DateTime Written, long Length) _stamp;

    public ReloadingCertificate(string path, string? password, ILogger logger)
    {
        _path = path;
        _password = password;
        _logger = logger;
        _stamp = Stamp();
        _current = X509CertificateLoader.LoadPkcs12FromFile(path, password);
    }

    public X509Certificate2 Current
    {
        get
        {
            var stamp = Stamp();
            lock (_gate)
            {
                if (stamp != _stamp)
                {
                    _stamp = stamp;
                    Reload();
                }

                return _current;
            }
        }
    }

    private void Reload()
    {
        try
        {
            var loaded = X509CertificateLoader.LoadPkcs12FromFile(_path, _password);
            if (!loaded.HasPrivateKey)
            {
                // It would load, and every handshake after it would fail.
                Log.ReloadFailed(_logger, _path, "the file holds no private key");
                return;
            }

            // The previous certificate is not disposed: a handshake in progress may still be using it.
            _current = loaded;
            Log.Reloaded(_logger, _path, _current.Subject, _current.NotAfter);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            Log.ReloadFailed(_logger, _path, e.Message);
        }
    }

    // The file the path leads to: a mounted secret is a link into a directory the kubelet swaps, and a link's own
    // stamp does not change when its target does.
    private (DateTime, long) Stamp()
    {
        var path = new FileInfo(_path);
        var file = path.Exists && path.LinkTarget is not null ? path.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? path : path;
        file.Refresh();
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : default;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "TLS certificate {Path} reloaded: {Subject}, valid until {NotAfter:u}")]
        public static partial void Reloaded(ILogger logger, string path, string subject, DateTime notAfter);

        [LoggerMessage(Level = LogLevel.Warning, Message = "TLS certificate {Path} changed but could not be loaded ({Reason}); the previous one stays in use")]
        public static partial void ReloadFailed(ILogger logger, string path, string reason);
    }
}
