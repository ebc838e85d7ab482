using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>The gateway as a child process (the built SocketGateway.dll), for tests that kill or signal it.</summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<(int Http, int Tcp)> _ports = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly List<string> _output = [];
    private bool _keeping; // under _output: the line belongs to a warning or error being kept

    private GatewayProcess(Process process) => _process = process;

    public int HttpPort { get; private set; }

    public int TcpPort { get; private set; }

    public int ExitCode => _process.ExitCode;

    public static async Task<GatewayProcess> StartAsync(string connectionString, IDictionary<string, string>? settings = null)
    {
        var start = new ProcessStartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "SocketGateway.dll"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["Gateway__Http__Port"] = "0";
        start.Environment["Gateway__Tcp__Port"] = "0";
        start.Environment["Gateway__Limits__MessageRate"] = "0";
        start.Environment["ConnectionStrings__Gateway"] = connectionString;
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var gateway = new GatewayProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the gateway"));
        gateway._process.OutputDataReceived += (_, e) => gateway.OnOutput(e.Data);
        gateway._process.ErrorDataReceived += (_, e) => gateway.OnOutput(e.Data);
        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();
        (gateway.HttpPort, gateway.TcpPort) = await gateway._ports.Task.WaitAsync(Timeouts.Start);
        return gateway;
    }

    /// <summary>kill -9: no chance to flush anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(Timeouts.Stop);
    }

    /// <summary>SIGTERM: the graceful stop a container runtime sends.</summary>
    public async Task TerminateAsync()
    {
        Assert.Equal(0, SendSignal(_process.Id, 15));
        await _process.WaitForExitAsync().WaitAsync(Timeouts.Start);
    }

    public Task<LineClient> ConnectTcpAsync() => LineClient.ConnectTcpAsync(TcpPort);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(Timeouts.Stop);
        }

        _process.Dispose();
    }

    /// <summary>The warnings and errors the process logged so far (its console lines from a "warn:" or "fail:" on), for failure messages.</summary>
    public string Problems
    {
        get
        {
            lock (_output)
            {
                return string.Join("\n", _output);
            }
        }
    }

    private void OnOutput(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                // A simple-console entry is its level line ("warn: Category[id]") and the indented lines after it.
                _keeping = line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || (_keeping && line.StartsWith(' '));
                if (_keeping && _output.Count < 500)
                {
                    _output.Add(line);
                }
            }
        }

        if (line is not null && ListeningLine().Match(line) is { Success: true } match)
        {
            _ports.TrySetResult((int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value)));
        }
    }

    [GeneratedRegex(@"SocketGateway listening: http port (\d+), tcp port (\d+)")]
    private static partial Regex ListeningLine();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
