using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace SocketGateway.Redis;

/// <summary>
/// The node's one connection to Redis (StackExchange.Redis multiplexes every command and subscription over it).
/// A node starts while Redis is down and reconnects by itself: the gateway is then degraded, never stopped.
/// </summary>
public sealed partial class RedisConnection(string configuration, ILogger<RedisConnection> logger) : IAsyncDisposable
{
    private ConnectionMultiplexer? _multiplexer;

    public ConnectionMultiplexer Multiplexer => _multiplexer ?? throw new InvalidOperationException("Redis is connected at the node's start");

    public bool IsConnected => _multiplexer?.IsConnected ?? false;

    /// <summary>
    /// This process among all that ever joined the gateway: a node's own bus echo is told by it, and a nick claim
    /// names it, so that a node restarted under the same name does not take its previous life's claims for its own.
    /// </summary>
    public string Origin { get; } = System.Security.Cryptography.RandomNumberGenerator.GetHexString(16, lowercase: true);

    public IDatabase Database => Multiplexer.GetDatabase();

    /// <summary>Connects at the node's start; returns (degraded) when Redis cannot be reached.</summary>
    public async Task StartAsync()
    {
        var options = ConfigurationOptions.Parse(configuration);
        // Start degraded rather than not at all; the multiplexer keeps retrying in the background.
        options.AbortOnConnectFail = false;
        options.ClientName ??= "socketgateway";
        // Back soon after Redis is: a node is degraded for as long as it is not reconnected.
        options.ReconnectRetryPolicy ??= new ExponentialRetry(250, 2000);
        // A command while Redis is away fails at once instead of waiting in a backlog: the bus then serves this node's
        // members itself, and a renewal is simply retried.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        if (!configuration.Contains("asyncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            // A Redis that stops answering without closing the connection holds a message for this long at most.
            options.AsyncTimeout = 1000;
        }
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        multiplexer.ConnectionFailed += (_, e) => Log.Lost(logger, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString(), e.Exception?.Message);
        multiplexer.ConnectionRestored += (_, e) => Log.Restored(logger, e.EndPoint?.ToString() ?? "?");
        if (!multiplexer.IsConnected)
        {
            Log.StartedWithout(logger, options.ToString(includePassword: false));
        }

        _multiplexer = multiplexer;
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Redis connection to {EndPoint} lost ({FailureType}: {Reason}); serving this node's users only until it is back")]
        public static partial void Lost(ILogger logger, string endPoint, string failureType, string? reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Redis connection to {EndPoint} restored")]
        public static partial void Restored(ILogger logger, string endPoint);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Redis ({Configuration}) is not reachable at start; the node starts degraded and joins when it is")]
        public static partial void StartedWithout(ILogger logger, string configuration);
    }
}
