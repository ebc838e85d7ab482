namespace SocketGateway.Core.Limits;

/// <summary>
/// A token bucket over messages: <c>rate</c> tokens a second, at most <c>burst</c> saved up. Line transports wait
/// for a token (they stop reading); request/response transports are refused when none is left.
/// </summary>
public sealed class MessageBudget(double rate, int burst, TimeProvider time)
{
    private readonly double _capacity = Math.Max(1, burst);
    private double _tokens = Math.Max(1, burst);
    private long _stamp = time.GetTimestamp();

    /// <summary>The budget of every session when rate limiting is off: nothing to keep per session.</summary>
    public static MessageBudget Unlimited { get; } = new(0, 1, TimeProvider.System);

    public bool IsUnlimited => rate <= 0;

    /// <summary>Takes a token if one is there; otherwise tells how long until one will be.</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (IsUnlimited)
        {
            return true;
        }

        // Locks itself: a lock object of its own would add 40 bytes to every session.
        lock (this)
        {
            Refill();
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((1 - _tokens) / rate);
            return false;
        }
    }

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (!TryTake(out var retryAfter))
        {
            await Task.Delay(retryAfter, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Refill()
    {
        var now = time.GetTimestamp();
        var elapsed = time.GetElapsedTime(_stamp, now).TotalSeconds;
        _stamp = now;
        _tokens = Math.Min(_capacity, _tokens + elapsed * rate);
    }
}
