namespace SocketGateway.Core.Limits;

/// <summary>
/// A deadline that runs while something is pending (a line is incomplete, no line has come yet) and is cleared
/// when it completes. Expired means strictly past the limit: exactly at the limit is still in time.
/// </summary>
public sealed class InputDeadline(TimeSpan limit, TimeProvider time)
{
    private long _startedAt = -1;

    public bool IsEnabled => limit > TimeSpan.Zero;

    public bool IsRunning => _startedAt >= 0;

    /// <summary>Starts the clock unless it is already running.</summary>
    public void Start()
    {
        if (IsEnabled && _startedAt < 0)
        {
            _startedAt = time.GetTimestamp();
        }
    }

    public void Clear() => _startedAt = -1;

    public bool IsExpired => IsRunning && time.GetElapsedTime(_startedAt) > limit;

    /// <summary>Time left before expiry, plus one tick so that a timer set to it fires past the limit; null when not running.</summary>
    public TimeSpan? Remaining => IsRunning ? Max(limit - time.GetElapsedTime(_startedAt) + TimeSpan.FromTicks(1), TimeSpan.FromTicks(1)) : null;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
