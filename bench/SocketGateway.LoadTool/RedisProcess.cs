using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SocketGateway.LoadTool;

/// <summary>
/// A private redis-server for one cluster run: a free loopback port, a temporary directory, no persistence; stopped
/// by its PID. It also answers the two commands the report needs (CONFIG RESETSTAT, INFO commandstats) over a plain
/// socket, so the tool needs no Redis client library.
/// </summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RedisProcess(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisProcess> StartAsync(string executable, TimeSpan timeout)
    {
        var directory = Directory.CreateTempSubdirectory("sgw-bench-redis-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "",
                     "--appendonly", "no", "--dir", directory, "--daemonize", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var redis = new RedisProcess(process, directory, port);
        await Task.WhenAny(ready.Task, process.WaitForExitAsync()).WaitAsync(timeout);
        if (process.HasExited)
        {
            await redis.DisposeAsync();
            throw new InvalidOperationException($"{executable} exited at start with code {process.ExitCode}");
        }

        return redis;
    }

    public Task ResetStatsAsync(CancellationToken cancellationToken) => CommandAsync("CONFIG RESETSTAT", cancellationToken);

    /// <summary>Calls per command since the last reset, from <c>INFO commandstats</c> (<c>cmdstat_evalsha:calls=N,...</c>).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CommandCallsAsync(CancellationToken cancellationToken)
    {
        var info = await CommandAsync("INFO commandstats", cancellationToken);
        var calls = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal) || colon < 0)
            {
                continue;
            }

            var field = line[(colon + 1)..].Split(',').FirstOrDefault(f => f.StartsWith("calls=", StringComparison.Ordinal));
            if (field is not null)
            {
                calls[line["cmdstat_".Length..colon]] = long.Parse(field["calls=".Length..], CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }

    /// <summary>One inline command and its reply: a status line, or the body of a bulk string.</summary>
    private async Task<string> CommandAsync(string command, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var first = await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("redis closed the connection");
        if (first.StartsWith('-'))
        {
            throw new IOException($"redis: {first[1..]}");
        }

        if (!first.StartsWith('$'))
        {
            return first[1..];
        }

        var length = int.Parse(first.AsSpan(1), CultureInfo.InvariantCulture);
        var body = new char[length];
        var read = 0;
        while (read < length)
        {
            var n = await reader.ReadAsync(body.AsMemory(read), cancellationToken);
            read += n > 0 ? n : throw new IOException("redis closed the connection mid-reply");
        }

        return new string(body);
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
