using System.Net;
using System.Net.Sockets;
using SocketGateway.Core;
using SocketGateway.Core.Bridges;
using SocketGateway.Core.Events;

namespace SocketGateway.Bridges;

/// <summary>
/// Keeps one bridge connected: connecting (the first attempt) → up → down with the last error, waiting out the
/// backoff → reconnecting → up…, until it is stopped. Each connection is a member of its own (via <c>bridge</c>),
/// so the room sees the bridge join when the service is reachable and leave when it is not.
/// </summary>
public sealed partial class BridgeRunner : IAsyncDisposable
{
    private readonly ChatService _chat;
    private readonly BridgeTargets _targets;
    private readonly BridgeSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly LinkCounters _counters = new();
    private readonly object _gate = new();
    private Task _loop = Task.CompletedTask;
    private string _state = BridgeStates.Connecting;
    private DateTimeOffset _since;
    private string? _lastError;
    private DateTimeOffset? _nextAttemptAt;
    private int _failures; // failed attempts since it was last up, as the API shows
    private int _streak; // what the backoff grows with: kept across a connection the service dropped at once
    private string? _loggedError;
    private long _cutOffs;

    public BridgeRunner(BridgeDefinition definition, ChatService chat, BridgeTargets targets, BridgeSettings settings, TimeProvider time, ILogger logger)
    {
        Definition = definition;
        _chat = chat;
        _targets = targets;
        _settings = settings;
        _time = time;
        _logger = logger;
        _since = time.GetUtcNow();
    }

    public BridgeDefinition Definition { get; }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    public string State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public BridgeInfo Describe(string? node)
    {
        lock (_gate)
        {
            var d = Definition;
            return new BridgeInfo(d.Id, d.Room, d.Host, d.Port, d.Framing.Name(), d.Nick, _state,
                UtcMillisecondsConverter.Truncate(_since), _lastError, _nextAttemptAt is { } next ? UtcMillisecondsConverter.Truncate(next) : null,
                _failures, _counters.BytesIn, _counters.BytesOut, _counters.FramesIn, _counters.FramesOut, _counters.Skipped,
                Interlocked.Read(ref _cutOffs), node);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var wasUp = false;
            string error;
            try
            {
                (wasUp, error) = await ConnectOnceAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is SocketException or IOException or ChatException or OperationCanceledException)
            {
                error = e switch
                {
                    ChatException chat => $"{chat.Code}: {chat.Message}",
                    OperationCanceledException => $"no connection within {_settings.ConnectTimeout.TotalSeconds:0.###} s",
                    _ => e.Message,
                };
            }
            catch (Exception e)
            {
                // A bug must not end the loop: the bridge would sit in its last state for good. It is logged and retried.
                Log.Failed(_logger, Definition.Id, e);
                error = $"internal error: {e.Message}";
            }

            if (stop.IsCancellationRequested)
            {
                break;
            }

            // A connection that stayed up as long as the longest wait starts the backoff over; one the service
            // drops at once keeps growing it, so a service that accepts and hangs up is not hammered.
            _streak = wasUp ? 1 : _streak + 1;
            var delay = BridgeBackoff.Delay(_streak, _settings.InitialBackoff, _settings.MaxBackoff, Random.Shared);
            bool outageBegins;
            lock (_gate)
            {
                outageBegins = _state is BridgeStates.Up or BridgeStates.Connecting;
                _failures++;
                _lastError = error;
                _nextAttemptAt = _time.GetUtcNow() + delay;
                SetState(BridgeStates.Down);
            }

            // One warning per outage (and per new reason); the retries of one outage are Debug.
            if (outageBegins || error != _loggedError)
            {
                _loggedError = error;
                Log.Down(_logger, Definition.Id, Target, error, delay.TotalSeconds);
            }
            else
            {
                Log.StillDown(_logger, Definition.Id, Target, error, delay.TotalSeconds);
            }
            try
            {
                await Task.Delay(delay, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            lock (_gate)
            {
                _nextAttemptAt = null;
                SetState(BridgeStates.Reconnecting);
            }
        }
    }

    /// <summary>One connection, from the target's check to its end: whether it got up, and why it ended.</summary>
    private async Task<(bool WasUp, string Error)> ConnectOnceAsync(CancellationToken stop)
    {
        // The name's lookup and the connect share the timeout: a resolver that hangs is a connect that fails.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_settings.ConnectTimeout);
        var address = await _targets.ResolveAsync(Definition.Host, timeout.Token).ConfigureAwait(false);
        var endPoint = new IPEndPoint(address, Definition.Port);
        // The member and its nick first, in no room yet (nobody sees it): a nick someone else has now fails this attempt
        // without a connection the service would see opened and reset.
        var session = _chat.Connect(Via.Bridge, endPoint, joinLobby: false);
        var reason = LeftReasons.Disconnected;
        try
        {
            await _chat.SetNickAsync(session, Definition.Nick).ConfigureAwait(false);
            using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            await _chat.JoinAsync(session, Definition.Room, stop).ConfigureAwait(false);
            var upAt = _time.GetTimestamp();
            lock (_gate)
            {
                _lastError = null;
                _failures = 0;
                SetState(BridgeStates.Up);
            }

            Log.Up(_logger, Definition.Id, Target, Definition.Room);
            var link = new FramedRoomLink(_chat, session, Definition.Room, Definition.Framing, _counters);
            var ended = await link.RunAsync(new NetworkStream(socket, ownsSocket: false), stop).ConfigureAwait(false);
            if (link.WasCutOff)
            {
                Interlocked.Increment(ref _cutOffs);
            }

            if (stop.IsCancellationRequested)
            {
                reason = LeftReasons.Quit;
            }

            return (_time.GetElapsedTime(upAt) >= _settings.MaxBackoff, ended);
        }
        finally
        {
            _chat.Disconnect(session, reason, reason == LeftReasons.Quit ? "bridge removed" : null);
        }
    }

    // Since when it is up, or since the outage began: the attempts of one outage (down, reconnecting, down…) keep it.
    private void SetState(string state)
    {
        var sameOutage = state is BridgeStates.Down or BridgeStates.Reconnecting && _state is BridgeStates.Down or BridgeStates.Reconnecting;
        _state = state;
        if (!sameOutage)
        {
            _since = _time.GetUtcNow();
        }
    }

    /// <summary><c>host:port</c>, an IPv6 address in brackets.</summary>
    public string Target => Definition.Host.Contains(':', StringComparison.Ordinal) ? $"[{Definition.Host}]:{Definition.Port}" : $"{Definition.Host}:{Definition.Port}";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Id} to {Target} is up in {Room}")]
        public static partial void Up(ILogger logger, string id, string target, string room);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Bridge {Id} to {Target} is still down ({Error}); next attempt in {Seconds:0.0} s")]
        public static partial void StillDown(ILogger logger, string id, string target, string error, double seconds);

        [LoggerMessage(Level = LogLevel.Error, Message = "Bridge {Id} failed unexpectedly; it is retried")]
        public static partial void Failed(ILogger logger, string id, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Id} to {Target} is down ({Error}); next attempt in {Seconds:0.0} s")]
        public static partial void Down(ILogger logger, string id, string target, string error, double seconds);
    }
}

/// <summary>The bridge options in the form the runner uses.</summary>
public sealed record BridgeSettings(TimeSpan InitialBackoff, TimeSpan MaxBackoff, TimeSpan ConnectTimeout)
{
    // A zero wait would be a reconnect loop as fast as the service refuses.
    private const double MinimumWaitSeconds = 0.05;

    public static BridgeSettings From(Hosting.BridgeOptions options) => new(
        TimeSpan.FromSeconds(Math.Max(MinimumWaitSeconds, options.InitialBackoffSeconds)),
        TimeSpan.FromSeconds(Math.Max(Math.Max(MinimumWaitSeconds, options.InitialBackoffSeconds), options.MaxBackoffSeconds)),
        TimeSpan.FromSeconds(Math.Max(0.1, options.ConnectTimeoutSeconds)));
}
