namespace SocketGateway.Core.Limits;

/// <summary>
/// A deadline that runs while something is pending (a line is incomplete, no line has come yet) and is cleared
/// when it completes. Expired means strictly past the limit: exactly at the limit is still in time. A struct, kept
/// in a field of its connection's reader (a mutable value: never copy one that runs).
/// </summary>
public struct InputDeadline(TimeSpan limit, TimeProvider time)
{
    private long _startedAt = -1;

    public readonly bool IsEnabled => limit > TimeSpan.Zero;

    public readonly bool IsRunning => _startedAt >= 0;

    /// <summary>Starts the clock unless it is already running.</summary>
    public void Start()
    {
        if (IsEnabled && _startedAt < 0)
        {
            _startedAt = time.GetTimestamp();
        }
    }

    public void Clear() => _startedAt = -1;

    public readonly bool IsExpired => IsRunning && time.GetElapsedTime(_startedAt) > limit;

    /// <summary>Time left before expiry, plus one tick so that a timer set to it fires past the limit; null when not running.</summary>
    public readonly TimeSpan? Remaining => IsRunning ? Max(limit - time.GetElapsedTime(_startedAt) + TimeSpan.FromTicks(1), TimeSpan.FromTicks(1)) : null;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
