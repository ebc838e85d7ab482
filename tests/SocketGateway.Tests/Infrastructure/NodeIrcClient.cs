using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>
/// The npm package irc-framework (the library behind Kiwi IRC), run by node through
/// <c>tests/irc-clients/irc-framework-client.js</c>: commands go in as JSON lines, every event it gets comes out as one.
/// </summary>
public sealed class NodeIrcClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly List<string> _errors = [];

    private NodeIrcClient(Process process)
    {
        _process = process;
        _ = ReadEventsAsync();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_errors)
                {
                    _errors.Add(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
    }

    public static NodeIrcClient Start(int port, string nick)
    {
        var script = Path.Combine(RepositoryRoot(), "tests", "irc-clients", "irc-framework-client.js");
        Assert.True(Directory.Exists(Path.Combine(Path.GetDirectoryName(script)!, "node_modules", "irc-framework")),
            "irc-framework is not installed: ./test.sh runs npm ci in tests/irc-clients");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { script, "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture), nick })
        {
            start.ArgumentList.Add(argument);
        }

        return new NodeIrcClient(Process.Start(start) ?? throw new InvalidOperationException("node did not start"));
    }

    public async Task SendAsync(object command)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Skips events until one of this name (and matching) arrives.</summary>
    public async Task<JsonElement> NextAsync(string name, Func<JsonElement, bool>? match = null)
    {
        using var cts = new CancellationTokenSource(Timeouts.Step);
        var seen = new List<string>();
        try
        {
            while (true)
            {
                var evt = await _events.Reader.ReadAsync(cts.Token);
                if (evt.GetProperty("event").GetString() == name && (match?.Invoke(evt) ?? true))
                {
                    return evt;
                }

                seen.Add(evt.ToString());
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            string errors;
            lock (_errors)
            {
                errors = string.Join("\n", _errors);
            }

            throw new TimeoutException($"irc-framework sent no '{name}' event; it sent:\n{string.Join("\n", seen)}\nstderr:\n{errors}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private async Task ReadEventsAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            _events.Writer.TryWrite(JsonDocument.Parse(line).RootElement.Clone());
        }

        _events.Writer.TryComplete();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SocketGateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (SocketGateway.sln) was not found above the test binaries");
    }
}
