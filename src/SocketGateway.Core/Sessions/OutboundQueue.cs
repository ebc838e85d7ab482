using System.Threading.Tasks.Sources;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Core.Sessions;

/// <summary>What <see cref="OutboundQueue.NotifyWhenReadable"/> found.</summary>
public enum QueueReadiness
{
    /// <summary>Empty: the callback is queued to the thread pool when an event arrives or the queue completes.</summary>
    Waiting,

    /// <summary>An event can be read now; no callback was kept.</summary>
    Readable,

    /// <summary>Complete and empty: nothing will come.</summary>
    Completed,
}

/// <summary>
/// A member's queue: many writers (every broadcaster), one reader (its transport's writer). It replaces a bounded
/// <c>Channel</c> for the sake of idle connections: the channel keeps five pre-allocated async operations and its
/// buffer for life (about 850 bytes per member), while this is one small object and a ring of a few slots when idle
/// (a ring grown by a burst is let go once drained). Bounds are kept by <see cref="ChatSession"/> (events and bytes),
/// so this queue never refuses for size.
/// </summary>
internal sealed class OutboundQueue : IValueTaskSource<bool>, IThreadPoolWorkItem
{
    // The queue locks itself (it is internal; nobody else can): a lock object of its own would cost every member
    // 40 bytes more.
    private const int KeptSlots = 8;

    private OutboundEvent[] _items = [];
    private int _head;
    private int _count;
    private bool _completed;

    // The one pending WaitToReadAsync, if any. Its completion is queued to the thread pool's global queue (as a
    // channel does), never run on a broadcaster's thread and never pushed on its local queue: a broadcast wakes
    // hundreds of readers, and a local queue runs them last-in first-out while other threads must steal them.
    private ManualResetValueTaskSourceCore<bool> _waiter;
    private bool _waiting;
    private bool _reading; // from WaitToReadAsync until its result is taken: the guard against a second reader
    private bool _signalResult;
    private Exception? _signalError;
    private CancellationTokenRegistration _cancellation;
    private IThreadPoolWorkItem? _notify; // a reader waiting without an async frame

    public int Count
    {
        get
        {
            lock (this)
            {
                return _count;
            }
        }
    }

    /// <summary>Queues an event; false once the queue is complete.</summary>
    public bool TryWrite(OutboundEvent evt)
    {
        lock (this)
        {
            if (_completed)
            {
                return false;
            }

            if (_count == _items.Length)
            {
                Grow();
            }

            _items[(_head + _count) % _items.Length] = evt;
            _count++;
            if (!TakeWaiter(out var notify))
            {
                return true;
            }

            if (notify is not null)
            {
                ThreadPool.UnsafeQueueUserWorkItem(notify, preferLocal: false);
                return true;
            }
        }

        Signal(true, null);
        return true;
    }

    public bool TryRead(out OutboundEvent evt)
    {
        lock (this)
        {
            if (_count == 0)
            {
                evt = null!;
                return false;
            }

            evt = _items[_head];
            _items[_head] = null!;
            _head = (_head + 1) % _items.Length;
            if (--_count == 0)
            {
                // A small ring stays (a member that gets one event at a time must not allocate one per event); one
                // grown by a burst goes, so an idle member holds at most a few slots.
                if (_items.Length > KeptSlots)
                {
                    _items = [];
                }

                _head = 0;
            }

            return true;
        }
    }

    /// <summary>No more writes; the reader still gets what is queued, then <c>false</c> from <see cref="WaitToReadAsync"/>.</summary>
    public bool TryComplete()
    {
        lock (this)
        {
            if (_completed)
            {
                return false;
            }

            _completed = true;
            if (!TakeWaiter(out var notify))
            {
                return true;
            }

            if (notify is not null)
            {
                ThreadPool.UnsafeQueueUserWorkItem(notify, preferLocal: false);
                return true;
            }
        }

        Signal(false, null);
        return true;
    }

    /// <summary>True when an event can be read, false when the queue is complete and empty. One caller at a time.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        lock (this)
        {
            if (_count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            if (_reading)
            {
                throw new InvalidOperationException("the queue has one reader");
            }

            _waiter.Reset();
            _waiting = true;
            _reading = true;

            // Registered under the lock, so no writer completes the wait before the registration is stored. A token
            // cancelled meanwhile runs Cancel right here (the lock is re-entrant).
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((OutboundQueue)state!).Cancel(token), this);
            }

            return new ValueTask<bool>(this, _waiter.Version);
        }
    }

    /// <summary>
    /// The frameless way to wait: when the queue is empty, <paramref name="callback"/> is queued to the thread pool
    /// (once) as soon as an event arrives or the queue completes, and the reader reads then. One reader, as for
    /// <see cref="WaitToReadAsync"/>; an idle member then holds no async state at all.
    /// </summary>
    public QueueReadiness NotifyWhenReadable(IThreadPoolWorkItem callback)
    {
        lock (this)
        {
            if (_count > 0)
            {
                return QueueReadiness.Readable;
            }

            if (_completed)
            {
                return QueueReadiness.Completed;
            }

            if (_reading)
            {
                throw new InvalidOperationException("the queue has one reader");
            }

            _notify = callback;
            _waiting = true;
            return QueueReadiness.Waiting;
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        _cancellation.Dispose();
        _cancellation = default;
        try
        {
            return _waiter.GetResult(token);
        }
        finally
        {
            lock (this)
            {
                _reading = false;
            }
        }
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);

    private void Cancel(CancellationToken token)
    {
        lock (this)
        {
            if (_notify is not null || !TakeWaiter(out _))
            {
                return; // the frameless wait has no token
            }
        }

        Signal(false, new OperationCanceledException(token));
    }

    // Only the one who took the waiter calls this, once per wait.
    private void Signal(bool result, Exception? error)
    {
        _signalResult = result;
        _signalError = error;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        if (_signalError is { } error)
        {
            _signalError = null;
            _waiter.SetException(error);
        }
        else
        {
            _waiter.SetResult(_signalResult);
        }
    }

    // Under the lock: whoever takes the waiter is the one who completes it (or queues its callback).
    private bool TakeWaiter(out IThreadPoolWorkItem? notify)
    {
        notify = _notify;
        if (!_waiting)
        {
            return false;
        }

        _waiting = false;
        _notify = null;
        return true;
    }

    private void Grow()
    {
        // Two first: a new member's welcome and lobby line, and then most idle members never need more.
        var larger = new OutboundEvent[Math.Max(2, _items.Length * 2)];
        for (var i = 0; i < _count; i++)
        {
            larger[i] = _items[(_head + i) % _items.Length];
        }

        _items = larger;
        _head = 0;
    }
}
