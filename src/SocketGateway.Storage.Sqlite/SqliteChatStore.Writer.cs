using Microsoft.Data.Sqlite;
using SocketGateway.Core.Events;
using SocketGateway.Core.Storage;

namespace SocketGateway.Storage.Sqlite;

public sealed partial class SqliteChatStore
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan FinalFlushLimit = TimeSpan.FromSeconds(5);

    // Room writes and id reservations that failed, waiting for the writer to retry them (null: a delete).
    private readonly Dictionary<string, StoredRoom?> _pendingRooms = new(StringComparer.Ordinal);
    private long _pendingReservation;
    private long _lastPrune;
    // Used by the writer loop only: the writing connection and its prepared insert, kept open between batches.
    private SqliteConnection? _connection;
    private MessageInsert? _insert;

    // Under _queueGate: positions handed out by Append, and how many of them are committed (the queue is FIFO).
    private long _appended;
    private long _committed;
    private readonly PriorityQueue<TaskCompletionSource, long> _commitWaiters = new();

    // Completed when a commit waiter arrives during the group-commit gathering, which then ends at once.
    private TaskCompletionSource _hurry = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Messages waiting to be written (for tests and metrics).</summary>
    public int PendingMessages
    {
        get
        {
            lock (_queueGate)
            {
                return _pending.Count;
            }
        }
    }

    private async Task WriteLoopAsync(CancellationToken stop)
    {
        _lastPrune = _time.GetTimestamp();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await _wake.Reader.ReadAsync(stop).ConfigureAwait(false);
                if (PendingMessages < _options.MaxBatch)
                {
                    await GatherAsync(stop).ConfigureAwait(false);
                }

                if (!Flush())
                {
                    await Task.Delay(RetryDelay, _time, stop).ConfigureAwait(false);
                    _wake.Writer.TryWrite(true);
                }

                PruneIfDue();
            }
        }
        catch (OperationCanceledException)
        {
        }

        // Graceful stop: write everything that is left, retrying a failing disk for a bounded time.
        var deadline = _time.GetTimestamp();
        while (!Flush() && _time.GetElapsedTime(deadline) < FinalFlushLimit)
        {
            await Task.Delay(RetryDelay, _time, CancellationToken.None).ConfigureAwait(false);
        }

        CloseConnection();
    }

    public Task WaitForCommitAsync(long position, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_queueGate)
        {
            if (position <= _committed)
            {
                return Task.CompletedTask;
            }

            _commitWaiters.Enqueue(waiter, position);
            _hurry.TrySetResult();
        }

        _wake.Writer.TryWrite(true);
        return cancellationToken.CanBeCanceled ? waiter.Task.WaitAsync(cancellationToken) : waiter.Task;
    }

    // Group commit: let a batch gather for at most the flush interval, unless somebody waits for a commit. Then the
    // batch is whatever came meanwhile: concurrent waiters still share commits, as each waits for the one running.
    private async Task GatherAsync(CancellationToken stop)
    {
        Task hurry;
        lock (_queueGate)
        {
            if (_commitWaiters.Count > 0)
            {
                return;
            }

            if (_hurry.Task.IsCompleted)
            {
                _hurry = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            hurry = _hurry.Task;
        }

        await Task.WhenAny(Task.Delay(TimeSpan.FromMilliseconds(_options.FlushIntervalMs), _time, stop), hurry).ConfigureAwait(false);
    }

    // Under _queueGate, after a batch is committed and dequeued.
    private void Committed(int count)
    {
        _committed += count;
        while (_commitWaiters.TryPeek(out var waiter, out var position) && position <= _committed)
        {
            _commitWaiters.Dequeue();
            waiter.TrySetResult();
        }
    }

    /// <summary>
    /// Writes what is waiting until the queue is empty; false if the disk refused (what was not written stays queued).
    /// </summary>
    private bool Flush()
    {
        try
        {
            var connection = _connection ??= Open();
            RetryPendingRoomWrites(connection);
            while (true)
            {
                MessageEvent[] batch;
                lock (_queueGate)
                {
                    batch = [.. _pending.Take(_options.MaxBatch)];
                }

                if (batch.Length == 0)
                {
                    Recovered();
                    return true;
                }

                _insert ??= new MessageInsert(connection);
                _insert.Write(batch);
                lock (_queueGate)
                {
                    // Only this writer dequeues, so the batch is still at the front.
                    for (var i = 0; i < batch.Length; i++)
                    {
                        _pending.Dequeue();
                    }

                    Committed(batch.Length);
                }
            }
        }
        catch (SqliteException e)
        {
            Failed(e);
            CloseConnection();
            return false;
        }
    }

    private void CloseConnection()
    {
        _insert?.Dispose();
        _insert = null;
        _connection?.Dispose();
        _connection = null;
    }

    private void RetryPendingRoomWrites(SqliteConnection connection)
    {
        KeyValuePair<string, StoredRoom?>[] rooms;
        long reservation;
        lock (_queueGate)
        {
            rooms = [.. _pendingRooms];
            reservation = _pendingReservation;
        }

        if (reservation > 0)
        {
            ReserveIds(connection, reservation);
            lock (_queueGate)
            {
                if (_pendingReservation == reservation)
                {
                    _pendingReservation = 0;
                }
            }
        }

        foreach (var (name, room) in rooms)
        {
            if (room is null)
            {
                DeleteRoom(connection, name);
            }
            else
            {
                UpsertRoom(connection, room);
            }

            lock (_queueGate)
            {
                if (_pendingRooms.TryGetValue(name, out var current) && current == room)
                {
                    _pendingRooms.Remove(name);
                }
            }
        }
    }

    private void PruneIfDue()
    {
        var noRetention = _options.RetentionMaxMessages <= 0 && _options.RetentionMaxAgeHours <= 0 && _options.RoomRetentionMaxMessages.Count == 0;
        if (noRetention || _time.GetElapsedTime(_lastPrune) < TimeSpan.FromSeconds(_options.PruneIntervalSeconds))
        {
            return;
        }

        _lastPrune = _time.GetTimestamp();
        try
        {
            PruneNow(_connection ??= Open());
        }
        catch (SqliteException e)
        {
            Failed(e);
        }
    }

    /// <summary>Applies the retention rules once: per-room message counts, then age.</summary>
    public int PruneNow()
    {
        using var connection = Open();
        return PruneNow(connection);
    }

    private int PruneNow(SqliteConnection connection)
    {
        var removed = 0;
        foreach (var room in ReadRoomNames(connection))
        {
            var keep = _options.RoomRetentionMaxMessages.TryGetValue(room, out var own) ? own : _options.RetentionMaxMessages;
            if (keep > 0)
            {
                removed += Prune(connection, room, keep);
            }
        }

        if (_options.RetentionMaxAgeHours > 0)
        {
            removed += PruneOlderThan(connection, _time.GetUtcNow() - TimeSpan.FromHours(_options.RetentionMaxAgeHours));
        }

        if (removed > 0)
        {
            Log.Pruned(_logger, removed);
        }

        return removed;
    }
}
