using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>
/// A private redis-server for one test: a free loopback port, a temporary directory, no persistence; stopped by its
/// PID. It can be stopped and started again on the same port, as an outage would. ./test.sh installs redis-server.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sg-redis-").FullName;
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string for <c>ConnectionStrings:Redis</c>.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort());
        await server.RestartAsync();
        return server;
    }

    // Below the kernel's ephemeral range (32768 and up here): while the server is stopped for an outage test, no
    // outgoing connection of another test can be given its port, so it can always start again on it.
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken: another test's server. Try another.
            }
        }

        throw new InvalidOperationException("no free loopback port between 20000 and 32000");
    }

    /// <summary>Starts the server (again) on its port and returns once it accepts connections.</summary>
    public async Task RestartAsync()
    {
        var executable = File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server"
            : throw new InvalidOperationException("redis-server is not installed: run ./test.sh, which installs it");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--dir", _directory, "--daemonize", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                output.Enqueue(line);
            }

            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await Task.WhenAny(ready.Task, process.WaitForExitAsync()).WaitAsync(Timeouts.Start);
        if (process.HasExited)
        {
            throw new InvalidOperationException($"redis-server exited at start with code {process.ExitCode} on port {Port}:\n{string.Join('\n', output.TakeLast(5))}");
        }
    }

    /// <summary>kill -9: the outage a crash or a network cut looks like to the gateway.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(Timeouts.Stop);
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
