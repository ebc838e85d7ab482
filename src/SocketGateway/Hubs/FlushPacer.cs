namespace SocketGateway.Hubs;

/// <summary>
/// A clock shared by every hub pump. A pump that has just written waits for the next tick before it writes again,
/// so the events that reach a busy member in between leave in one write and one WebSocket frame instead of one each
/// (every write costs a pipe flush, two thread-pool hops and a send system call, whatever its size). A member that was
/// idle is written to at once; one that keeps receiving is written to about once per tick. The timer runs only while
/// some pump waits for it.
/// </summary>
public sealed class FlushPacer : IDisposable
{
    private readonly ITimer? _timer;
    private readonly TimeSpan _interval;
    private TaskCompletionSource _tick = NewTick();
    private int _waiting;
    private int _running;
    private bool _disposed;

    public FlushPacer(TimeSpan interval, TimeProvider time)
    {
        _interval = interval;
        if (interval > TimeSpan.Zero)
        {
            _timer = time.CreateTimer(static s => ((FlushPacer)s!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Completes at the next tick (at once when pacing is off).</summary>
    public Task NextTickAsync()
    {
        if (_timer is null || Volatile.Read(ref _disposed))
        {
            return Task.CompletedTask;
        }

        var tick = Volatile.Read(ref _tick).Task;
        Volatile.Write(ref _waiting, 1);
        Start();
        return tick;
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        _timer?.Dispose();
        Volatile.Read(ref _tick).TrySetResult();
    }

    private void Start()
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0 && !Volatile.Read(ref _disposed))
        {
            Change(_interval);
        }
    }

    private void Tick()
    {
        if (Volatile.Read(ref _disposed))
        {
            Volatile.Read(ref _tick).TrySetResult();
            return;
        }

        // Waiters from before the swap are released now; one that took the new tick set _waiting and gets the next.
        Interlocked.Exchange(ref _tick, NewTick()).TrySetResult();
        if (Volatile.Read(ref _disposed))
        {
            // Disposed meanwhile: the tick just made would never come, so release it too.
            Volatile.Read(ref _tick).TrySetResult();
            return;
        }

        if (Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            return;
        }

        // Nobody waited during a whole period: stop, then look again for a waiter that came in meanwhile (the full
        // fences on both sides mean that either it sees the timer stopped and starts it, or this sees it waiting).
        Change(Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _running, 0);
        if (Volatile.Read(ref _waiting) == 1)
        {
            Start();
        }
    }

    private void Change(TimeSpan period)
    {
        try
        {
            _timer!.Change(period, period);
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile (shutdown): Dispose has released the waiters.
        }
    }

    private static TaskCompletionSource NewTick() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
