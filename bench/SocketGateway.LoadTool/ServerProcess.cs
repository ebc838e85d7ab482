using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace SocketGateway.LoadTool;

/// <summary>Where the gateway listens, and its process id when known (for RSS and CPU); TLS or IRC port 0 when it has none.</summary>
public sealed record ServerEndpoint(string Host, int HttpPort, int TcpPort, int? Pid, int TlsPort = 0, int IrcPort = 0);

/// <summary>
/// A gateway started by the tool from a built SocketGateway.dll, on 127.0.0.1 and free ports, with the message
/// budget off and a self-signed certificate for its TLS port (made in the run's temp directory). Its output is
/// drained (a full stdout pipe would stall it) and the last lines kept for errors.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource<(int Http, int Tcp, int Tls, int Irc)> _ports = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _dataDir = null!;

    private ServerProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public ServerEndpoint Endpoint { get; private set; } = null!;

    public int SlowConsumerWarnings { get; private set; }

    public static async Task<ServerProcess> StartAsync(string dll, string storage, IReadOnlyDictionary<string, string> extraEnv, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(dll))!,
        };
        info.ArgumentList.Add(Path.GetFullPath(dll));
        var env = info.Environment;
        env["Gateway__BindAddress"] = "127.0.0.1";
        env["Gateway__Http__Port"] = "0";
        env["Gateway__Tcp__Port"] = "0";
        env["Gateway__Tcp__TlsPort"] = "0";
        env["Gateway__Irc__Port"] = "0";
        var dataDir = Directory.CreateTempSubdirectory("sgw-bench-").FullName;
        env["Gateway__Tcp__Certificate__Path"] = WriteSelfSignedCertificate(dataDir);
        env["Gateway__Limits__MessageRate"] = "0";
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["Logging__LogLevel__Default"] = "Warning";
        env["Logging__LogLevel__SocketGateway"] = "Information";
        if (storage == "memory")
        {
            env["Gateway__Storage__Provider"] = "memory";
        }
        else
        {
            env["ConnectionStrings__Gateway"] = $"Data Source={Path.Combine(dataDir, "gateway.db")}";
        }

        foreach (var (key, value) in extraEnv)
        {
            env[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var server = new ServerProcess(process) { _dataDir = dataDir };
        _ = server.DrainAsync(process.StandardOutput);
        _ = server.DrainAsync(process.StandardError);
        try
        {
            var (http, tcp, tls, irc) = await server._ports.Task.WaitAsync(timeout);
            server.Endpoint = new ServerEndpoint("127.0.0.1", http, tcp, process.Id, tls, irc);
            return server;
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException("the gateway did not log its ports in time:\n" + server.Tail());
        }
    }

    /// <summary>An RSA 2048 certificate for localhost, valid for a day, as a PKCS#12 file without a password.</summary>
    private static string WriteSelfSignedCertificate(string directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(directory, "tls.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12));
        return path;
    }

    private static int Port(string text) => int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    // "off", or an older gateway's line without the port at all.
    private static int PortOrOff(string text) => text is "off" or "" ? 0 : Port(text);

    public string Tail()
    {
        lock (_tail)
        {
            return string.Join('\n', _tail);
        }
    }

    private async Task DrainAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            if (ListeningLine().Match(line) is { Success: true } m)
            {
                _ports.TrySetResult((Port(m.Groups[1].Value), Port(m.Groups[2].Value), PortOrOff(m.Groups[3].Value), PortOrOff(m.Groups[4].Value)));
            }

            if (line.Contains("queue is full", StringComparison.Ordinal))
            {
                SlowConsumerWarnings++;
            }

            lock (_tail)
            {
                _tail.Enqueue(line);
                if (_tail.Count > 40)
                {
                    _tail.Dequeue();
                }
            }
        }

        _ports.TrySetException(new InvalidOperationException("the gateway exited:\n" + Tail()));
    }

    /// <summary>SIGTERM (a graceful stop that flushes the store), then SIGKILL after 15 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 15);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex(@"SocketGateway listening: http port (\d+), tcp port (\d+), tls port (\d+|off)(?:, irc port (\d+|off))?")]
    private static partial Regex ListeningLine();
}
