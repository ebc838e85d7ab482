using System.Diagnostics;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>
/// A real terminal program (telnet, irssi) in a detached tmux session of its own tmux server, driven the way a person
/// would: keys typed, the screen read. Each terminal has its own server socket, so tests never share one.
/// </summary>
public sealed class TmuxTerminal : IAsyncDisposable
{
    private readonly string _socket = "sg-" + Guid.NewGuid().ToString("N")[..12];

    // The program's own process: tmux's kill-server only signals it, and it may still be writing its files (irssi
    // saves its config on SIGHUP) when kill-server returns.
    private Process? _program;

    private TmuxTerminal()
    {
    }

    /// <summary>Starts <paramref name="program"/> with its arguments in a 220×50 UTF-8 terminal.</summary>
    public static async Task<TmuxTerminal> StartAsync(string program, params string[] arguments)
    {
        Assert.True(File.Exists("/usr/bin/tmux"), "tmux is missing: ./test.sh installs it");
        Assert.True(File.Exists(program), $"{program} is missing: ./test.sh installs it");
        var terminal = new TmuxTerminal();
        await terminal.TmuxAsync(["-u", "new-session", "-d", "-s", "main", "-x", "220", "-y", "50", program, .. arguments]);
        var pid = int.Parse((await terminal.TmuxAsync(["display-message", "-p", "-t", "main", "#{pane_pid}"])).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            terminal._program = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            // Ended already.
        }

        return terminal;
    }

    /// <summary>Types <paramref name="text"/> literally (any characters, no key names), then Enter.</summary>
    public async Task TypeLineAsync(string text)
    {
        await TmuxAsync(["send-keys", "-t", "main", "-l", text]);
        await TmuxAsync(["send-keys", "-t", "main", "Enter"]);
    }

    /// <summary>What the terminal shows now, one string per screen row.</summary>
    public async Task<string> ScreenAsync() => await TmuxAsync(["capture-pane", "-p", "-J", "-t", "main"]);

    /// <summary>
    /// Reads the screen until it shows <paramref name="text"/>: a terminal has no event to await, so the screen is
    /// read again every 50 ms until it does or the step's time is up.
    /// </summary>
    public async Task<string> WaitForAsync(string text)
    {
        var deadline = DateTime.UtcNow + Timeouts.Step;
        while (true)
        {
            var screen = await ScreenAsync();
            if (screen.Contains(text, StringComparison.Ordinal))
            {
                return screen;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the terminal never showed \"{text}\"; it shows:\n{screen}");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await TmuxAsync(["kill-server"]);
        }
        catch (InvalidOperationException)
        {
            // The program ended and took the server with it.
        }

        if (_program is { } program)
        {
            // Gone before its files are: the caller may delete its home next.
            using var exited = new CancellationTokenSource(Timeouts.Step);
            try
            {
                await program.WaitForExitAsync(exited.Token);
            }
            catch (OperationCanceledException)
            {
                program.Kill();
            }

            program.Dispose();
        }
    }

    private async Task<string> TmuxAsync(string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/tmux")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The programs inside must see a UTF-8 terminal whatever the test runner's locale is.
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["LC_ALL"] = "C.UTF-8";
        start.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Timeouts.Step);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', arguments)} failed: {await error}");
        }

        return await output;
    }
}
