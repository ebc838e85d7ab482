using Microsoft.Extensions.Logging;
using SocketGateway.Core.Storage;
using Npgsql;

namespace SocketGateway.Storage.Postgres;

public sealed partial class PostgresChatStore
{
    public string? Problem => _failures.Problem;

    public long DroppedMessages => _queue.DroppedMessages;

    // The writer is woken to retry, which is also how a failed read or reservation notices the recovery.
    private void Failed(Exception e)
    {
        var reason = e is OperationCanceledException ? $"no answer within {_options.CommandTimeoutMs} ms" : e.Message;
        switch (_failures.Failed(reason, out var failures))
        {
            case FailureNotice.First:
                Log.WritesFailing(_logger, (e as PostgresException)?.SqlState ?? "none", reason);
                break;
            case FailureNotice.Repeat:
                Log.StillFailing(_logger, failures, PendingMessages, reason);
                break;
        }

        _queue.Wake();
    }

    private void Recovered()
    {
        if (_failures.TryRecover(out var failures))
        {
            Log.WritesRecovered(_logger, failures);
        }
    }

    private void LogDropped()
    {
        if (_failures.DropNoticeDue())
        {
            Log.Dropped(_logger, DroppedMessages, _options.QueueCapacity);
        }
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
