using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Core.Sessions;

/// <summary>How much may wait for one member: events and (estimated) bytes; 0 bytes means no byte bound.</summary>
public readonly record struct QueueLimits(int Events, long Bytes);

public sealed partial class ChatSession
{
    /// <summary>How long an overflowing member gets to read the line that tells it why, before the socket is cut.</summary>
    public static readonly TimeSpan OverflowGrace = TimeSpan.FromSeconds(2);

    private readonly QueueLimits _limits;
    private long _queuedEvents;
    private long _queuedBytes;
    private int _overflowed;

    public long QueuedEvents => Interlocked.Read(ref _queuedEvents);

    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>The queue filled up: nothing more is queued, and the member is cut off after its grace.</summary>
    public bool Overflowed => Volatile.Read(ref _overflowed) == 1;

    private bool TryReserve(OutboundEvent evt)
    {
        var events = Interlocked.Increment(ref _queuedEvents);
        var bytes = Interlocked.Add(ref _queuedBytes, evt.EstimatedBytes);
        return Volatile.Read(ref _overflowed) == 0
            && events <= Math.Max(1, _limits.Events)
            && (_limits.Bytes <= 0 || bytes <= _limits.Bytes || events == 1);
    }

    private void Release(OutboundEvent evt)
    {
        Interlocked.Decrement(ref _queuedEvents);
        Interlocked.Add(ref _queuedBytes, -evt.EstimatedBytes);
    }

    /// <summary>
    /// The member stopped reading: it is told in the slot kept for that, nothing more is queued, and its socket is
    /// cut once it had a moment to read what is already queued (a never-reading client never will). Memory returns
    /// when the transport lets go of the session.
    /// </summary>
    private void Overflow()
    {
        if (Interlocked.Exchange(ref _overflowed, 1) != 0)
        {
            return;
        }

        CoreMetrics.SlowConsumersDisconnected.Add(1);
        var reason = new OutboundEvent(new ErrorEvent(ErrorCodes.RateLimited,
            "you are not reading fast enough: your queue is full; disconnecting"));
        Interlocked.Increment(ref _queuedEvents);
        Interlocked.Add(ref _queuedBytes, reason.EstimatedBytes);
        if (!_outbound.TryWrite(reason))
        {
            Release(reason);
        }

        _outbound.TryComplete();
        // A full fence: the read of IsClosed below must not move above the store, or a Close in between is missed.
        Interlocked.Exchange(ref _overflowGrace, _time.CreateTimer(static s => ((ChatSession)s!).Abort(), this, OverflowGrace, Timeout.InfiniteTimeSpan));
        if (IsClosed)
        {
            EndOverflowGrace();
        }
    }

    // A member that leaves during its grace is let go at once: the timer would otherwise hold it and its full queue.
    private void EndOverflowGrace() => Interlocked.Exchange(ref _overflowGrace, null)?.Dispose();

    /// <summary>The reading end of a member's queue, for its transport's one writer; keeps the queue's counts.</summary>
    public readonly struct OutboundReader(ChatSession session)
    {
        public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) =>
            session._outbound.WaitToReadAsync(cancellationToken);

        /// <summary>Waits without an async frame: see <see cref="OutboundQueue.NotifyWhenReadable"/>.</summary>
        public QueueReadiness NotifyWhenReadable(IThreadPoolWorkItem callback) =>
            session._outbound.NotifyWhenReadable(callback);

        public bool TryRead(out OutboundEvent evt)
        {
            if (!session._outbound.TryRead(out evt))
            {
                return false;
            }

            session.Release(evt);
            return true;
        }
    }
}
