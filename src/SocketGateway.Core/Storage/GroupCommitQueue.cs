using System.Threading.Channels;
using SocketGateway.Core.Events;

namespace SocketGateway.Core.Storage;

/// <summary>
/// The messages a store has accepted but not committed yet, for its one background writer: a bounded FIFO with
/// positions in write order, the callers waiting for a position to be committed, and the group-commit gathering
/// that ends at once when somebody waits. A store is then only its database's reads and writes.
/// </summary>
public sealed class GroupCommitQueue(int capacity, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Queue<MessageEvent> _pending = new();
    private readonly PriorityQueue<TaskCompletionSource, long> _commitWaiters = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // Under _gate: positions handed out by Append, and how many of them are committed (the queue is FIFO).
    private long _appended;
    private long _committed;
    private long _dropped;

    // Completed when a commit waiter arrives during the gathering, which then ends at once.
    private TaskCompletionSource _hurry = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Messages delivered live but not kept because the queue was full.</summary>
    public long DroppedMessages => Interlocked.Read(ref _dropped);

    /// <summary>Queues a message; its position, or 0 when the queue is full (counted as dropped). Never blocks.</summary>
    public long Append(MessageEvent message)
    {
        long position;
        lock (_gate)
        {
            if (capacity > 0 && _pending.Count >= capacity)
            {
                Interlocked.Increment(ref _dropped);
                return 0;
            }

            _pending.Enqueue(message);
            position = ++_appended;
        }

        Wake();
        return position;
    }

    /// <summary>Completes once every message up to <paramref name="position"/> is committed; hurries the writer.</summary>
    public Task WaitForCommitAsync(long position, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (position <= _committed)
            {
                return Task.CompletedTask;
            }

            _commitWaiters.Enqueue(waiter, position);
            _hurry.TrySetResult();
        }

        Wake();
        return cancellationToken.CanBeCanceled ? waiter.Task.WaitAsync(cancellationToken) : waiter.Task;
    }

    /// <summary>Asks the writer for a round: something was queued, or a failed write is to be retried.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>The writer's wait for work.</summary>
    public ValueTask<bool> WaitForWorkAsync(CancellationToken cancellationToken) => _wake.Reader.ReadAsync(cancellationToken);

    /// <summary>
    /// Group commit: lets a batch gather for at most <paramref name="interval"/>, unless somebody waits for a commit.
    /// Then the batch is whatever came meanwhile: concurrent waiters still share commits, as each waits for the one
    /// running.
    /// </summary>
    public async Task GatherAsync(TimeSpan interval, int maxBatch, CancellationToken cancellationToken)
    {
        Task hurry;
        lock (_gate)
        {
            if (_commitWaiters.Count > 0 || _pending.Count >= maxBatch)
            {
                return;
            }

            if (_hurry.Task.IsCompleted)
            {
                _hurry = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            hurry = _hurry.Task;
        }

        await Task.WhenAny(Task.Delay(interval, time, cancellationToken), hurry).ConfigureAwait(false);
    }

    /// <summary>The oldest messages, up to <paramref name="max"/>, left in the queue until <see cref="Committed"/>.</summary>
    public MessageEvent[] PeekBatch(int max)
    {
        lock (_gate)
        {
            return [.. _pending.Take(max)];
        }
    }

    /// <summary>The writer committed the first <paramref name="count"/> messages (only it dequeues, so they are still at the front).</summary>
    public void Committed(int count)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _pending.Dequeue();
            }

            _committed += count;
            while (_commitWaiters.TryPeek(out var waiter, out var position) && position <= _committed)
            {
                _commitWaiters.Dequeue();
                waiter.TrySetResult();
            }
        }
    }

    /// <summary>What waits to be written for <paramref name="room"/>, below <paramref name="beforeId"/> if given.</summary>
    public List<MessageEvent> Waiting(string room, long? beforeId)
    {
        lock (_gate)
        {
            return [.. _pending.Where(m => m.Room == room && (beforeId is null || m.Id < beforeId))];
        }
    }

    /// <summary>
    /// A page of catching up: the first committed rows above <paramref name="afterId"/> merged with the waiting ones
    /// above it, oldest first. The store's rows are the first <paramref name="limit"/> it has, so the first
    /// <paramref name="limit"/> of the union are the right ones even when waiting messages have lower ids.
    /// </summary>
    public IReadOnlyList<MessageEvent> MergeWithWaitingAfter(List<MessageEvent> stored, string room, int limit, long afterId)
    {
        List<MessageEvent> waiting;
        lock (_gate)
        {
            waiting = [.. _pending.Where(m => m.Room == room && m.Id > afterId)];
        }

        return waiting.Count == 0 ? stored : stored.Concat(waiting).DistinctBy(m => m.Id).OrderBy(m => m.Id).Take(limit).ToList();
    }

    /// <summary>A page of history: the committed rows merged with the ones still waiting, oldest first.</summary>
    public IReadOnlyList<MessageEvent> MergeWithWaiting(List<MessageEvent> stored, string room, int limit, long? beforeId)
    {
        var waiting = Waiting(room, beforeId);
        if (waiting.Count == 0)
        {
            return stored;
        }

        // A batch just written may be in both lists until the writer dequeues it.
        return stored.Concat(waiting).DistinctBy(m => m.Id).OrderBy(m => m.Id).TakeLast(limit).ToList();
    }
}
