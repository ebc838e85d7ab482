using Microsoft.Extensions.Logging;
using Npgsql;

namespace SocketGateway.Storage.Postgres;

public sealed partial class PostgresChatStore
{
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(30);

    private volatile string? _problem;
    private long _failures;
    private long _lastFailureLog;
    private long _lastDropLog;

    public string? Problem => _problem;

    public long DroppedMessages => _queue.DroppedMessages;

    // The first failure is an error; repeats are summed up at most every 30 s, so a dead database cannot flood the
    // log. The writer is woken to retry, which is also how a failed read or reservation notices the recovery.
    private void Failed(Exception e)
    {
        var failures = Interlocked.Increment(ref _failures);
        var wasHealthy = _problem is null;
        var reason = e is OperationCanceledException ? $"no answer within {_options.CommandTimeoutMs} ms" : e.Message;
        _problem = $"history writes failing: {reason}";
        if (wasHealthy)
        {
            Interlocked.Exchange(ref _lastFailureLog, _time.GetTimestamp());
            Log.WritesFailing(_logger, (e as PostgresException)?.SqlState ?? "none", reason);
        }
        else if (Due(ref _lastFailureLog))
        {
            Log.StillFailing(_logger, failures, PendingMessages, reason);
        }

        _queue.Wake();
    }

    private void Recovered()
    {
        if (_problem is null)
        {
            return;
        }

        _problem = null;
        Log.WritesRecovered(_logger, Interlocked.Exchange(ref _failures, 0));
    }

    private void LogDropped()
    {
        if (Due(ref _lastDropLog))
        {
            Log.Dropped(_logger, DroppedMessages, _options.QueueCapacity);
        }
    }

    private bool Due(ref long lastLog)
    {
        var last = Interlocked.Read(ref lastLog);
        var now = _time.GetTimestamp();
        return (last == 0 || _time.GetElapsedTime(last, now) >= LogEvery)
            && Interlocked.CompareExchange(ref lastLog, now, last) == last;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "History writes are failing (PostgreSQL SQLSTATE {SqlState}: {Reason}); chat goes on and writes are retried")]
        public static partial void WritesFailing(ILogger logger, string sqlState, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "History writes still failing ({Failures} attempts, {Pending} messages waiting): {Reason}")]
        public static partial void StillFailing(ILogger logger, long failures, int pending, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "History writes recovered after {Failures} failed attempts")]
        public static partial void WritesRecovered(ILogger logger, long failures);

        [LoggerMessage(Level = LogLevel.Warning, Message = "History buffer full ({Capacity} messages): {Dropped} messages so far delivered live but not kept")]
        public static partial void Dropped(ILogger logger, long dropped, int capacity);

        [LoggerMessage(Level = LogLevel.Information, Message = "Retention pruned {Count} messages")]
        public static partial void Pruned(ILogger logger, int count);
    }
}
