namespace SocketGateway.Core.Storage;

/// <summary>What a store's failure log should say about a failure.</summary>
public enum FailureNotice
{
    /// <summary>Nothing: the failure is already being reported.</summary>
    None,

    /// <summary>The store was healthy: say so at once, as an error.</summary>
    First,

    /// <summary>It still fails, and the last summary is old enough for another.</summary>
    Repeat,
}

/// <summary>
/// The failing-while-chat-goes-on state of a store (SQLite, PostgreSQL), shared so that both report alike: the
/// problem for <see cref="IStoreHealth"/>, the failed attempts, and when to log. The first failure is told at once;
/// repeats and dropped messages at most every 30 s, so a dead disk or database cannot flood the log. Logging stays
/// with each store, which knows its error codes.
/// </summary>
public sealed class StoreFailures(TimeProvider time)
{
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(30);

    private volatile string? _problem;
    private long _failures;
    private long _lastFailureLog;
    private long _lastDropLog;

    public string? Problem => _problem;

    /// <summary>Records a failed attempt; <paramref name="failures"/> counts them since the store was last healthy.</summary>
    public FailureNotice Failed(string reason, out long failures)
    {
        failures = Interlocked.Increment(ref _failures);
        var wasHealthy = _problem is null;
        _problem = $"history writes failing: {reason}";
        if (wasHealthy)
        {
            Interlocked.Exchange(ref _lastFailureLog, time.GetTimestamp());
            return FailureNotice.First;
        }

        return Due(ref _lastFailureLog) ? FailureNotice.Repeat : FailureNotice.None;
    }

    /// <summary>True, with the failed attempts, when this success ends a failure.</summary>
    public bool TryRecover(out long failures)
    {
        failures = 0;
        if (_problem is null)
        {
            return false;
        }

        _problem = null;
        failures = Interlocked.Exchange(ref _failures, 0);
        return true;
    }

    public bool DropNoticeDue() => Due(ref _lastDropLog);

    private bool Due(ref long lastLog)
    {
        var last = Interlocked.Read(ref lastLog);
        var now = time.GetTimestamp();
        return (last == 0 || time.GetElapsedTime(last, now) >= LogEvery)
            && Interlocked.CompareExchange(ref lastLog, now, last) == last;
    }
}
