using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace SocketGateway.LoadTool;

/// <summary>Where the gateway listens, and its process id when known (for RSS and CPU).</summary>
public sealed record ServerEndpoint(string Host, int HttpPort, int TcpPort, int? Pid);

/// <summary>
/// A gateway started by the tool from a built SocketGateway.dll, on 127.0.0.1 and free ports, with the message
/// budget off. Its output is drained (a full stdout pipe would stall it) and the last lines kept for errors.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource<(int Http, int Tcp)> _ports = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _dataDir;

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
        env["Gateway__Limits__MessageRate"] = "0";
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["Logging__LogLevel__Default"] = "Warning";
        env["Logging__LogLevel__SocketGateway"] = "Information";
        string? dataDir = null;
        if (storage == "memory")
        {
            env["Gateway__Storage__Provider"] = "memory";
        }
        else
        {
            dataDir = Directory.CreateTempSubdirectory("sgw-bench-").FullName;
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
            var (http, tcp) = await server._ports.Task.WaitAsync(timeout);
            server.Endpoint = new ServerEndpoint("127.0.0.1", http, tcp, process.Id);
            return server;
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException("the gateway did not log its ports in time:\n" + server.Tail());
        }
    }

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
                _ports.TrySetResult((int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)));
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
        if (_dataDir is not null)
        {
            try
            {
                Directory.Delete(_dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex(@"SocketGateway listening: http port (\d+), tcp port (\d+)")]
    private static partial Regex ListeningLine();
}
