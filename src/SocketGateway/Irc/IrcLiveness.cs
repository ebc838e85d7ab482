namespace SocketGateway.Irc;

/// <summary>
/// Finds dead and never-registering IRC clients, as IRC servers do: after <c>PingSeconds</c> without a line the
/// client is sent a PING, and after as long again without one it is closed ("Ping timeout"); a connection that has not
/// registered within <c>RegistrationTimeoutSeconds</c> is closed too, so it cannot hold a connection slot. A complete
/// line is what counts: a client that trickles bytes and never ends a line is as silent as one that sends nothing.
/// One timer per connection, ticking at half the ping interval; a line costs one timestamp write.
/// </summary>
public sealed class IrcLiveness : IDisposable
{
    private readonly IrcServer _server;
    private readonly IrcOutput _output;
    private readonly Func<bool> _registered;
    private readonly Action _close;
    private readonly TimeSpan _ping;
    private readonly TimeSpan _registration;
    private readonly long _connected;
    private readonly ITimer _timer;
    private long _lastLine;
    private long _pingSent; // 0: no PING outstanding
    private int _closing;

    public IrcLiveness(IrcServer server, IrcOutput output, Func<bool> registered, Action close)
    {
        _server = server;
        _output = output;
        _registered = registered;
        _close = close;
        _ping = TimeSpan.FromSeconds(server.Options.PingSeconds);
        _registration = TimeSpan.FromSeconds(server.Options.RegistrationTimeoutSeconds);
        _connected = _lastLine = server.Time.GetTimestamp();
        var tick = TimeSpan.FromSeconds(Math.Max(0.05, Math.Min(server.Options.PingSeconds, server.Options.RegistrationTimeoutSeconds) / 2));
        _timer = server.Time.CreateTimer(static state => _ = ((IrcLiveness)state!).TickAsync(), this, tick, tick);
    }

    /// <summary>A complete line came in.</summary>
    public void Seen()
    {
        Volatile.Write(ref _lastLine, _server.Time.GetTimestamp());
        Volatile.Write(ref _pingSent, 0);
    }

    public void Dispose() => _timer.Dispose();

    private async Task TickAsync()
    {
        var time = _server.Time;
        try
        {
            if (!_registered() && time.GetElapsedTime(_connected) >= _registration)
            {
                await CloseAsync("Registration timed out").ConfigureAwait(false);
            }
            else if (Volatile.Read(ref _pingSent) is var sent and not 0)
            {
                if (time.GetElapsedTime(sent) >= _ping)
                {
                    await CloseAsync($"Ping timeout: {(int)(_ping.TotalSeconds * 2)} seconds").ConfigureAwait(false);
                }
            }
            else if (time.GetElapsedTime(Volatile.Read(ref _lastLine)) >= _ping)
            {
                Volatile.Write(ref _pingSent, time.GetTimestamp());
                await _output.WriteAsync($"PING :{_server.Name}").ConfigureAwait(false);
            }
        }
        catch (Exception e) when (Connections.ChatConnections.IsPeerGone(e) || e is InvalidOperationException)
        {
            // The connection is going anyway; its reader sees the end.
        }
    }

    private async Task CloseAsync(string why)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            return;
        }

        _timer.Dispose();
        try
        {
            await _output.WriteAsync($"ERROR :Closing link ({why})").ConfigureAwait(false);
        }
        finally
        {
            _close();
        }
    }
}
