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
        SqliteConnection? connection = null;
        _lastPrune = _time.GetTimestamp();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await _wake.Reader.ReadAsync(stop).ConfigureAwait(false);
                if (PendingMessages < _options.MaxBatch)
                {
                    // Group commit: let a batch gather for at most the flush interval.
                    await Task.Delay(TimeSpan.FromMilliseconds(_options.FlushIntervalMs), _time, stop).ConfigureAwait(false);
                }

                if (!Flush(ref connection))
                {
                    await Task.Delay(RetryDelay, _time, stop).ConfigureAwait(false);
                    _wake.Writer.TryWrite(true);
                }

                PruneIfDue(ref connection);
            }
        }
        catch (OperationCanceledException)
        {
        }

        // Graceful stop: write everything that is left, retrying a failing disk for a bounded time.
        var deadline = _time.GetTimestamp();
        while (!Flush(ref connection) && _time.GetElapsedTime(deadline) < FinalFlushLimit)
        {
            await Task.Delay(RetryDelay, _time, CancellationToken.None).ConfigureAwait(false);
        }

        connection?.Dispose();
    }

    /// <summary>Writes everything waiting; false if the disk refused (what was not written stays queued).</summary>
    private bool Flush(ref SqliteConnection? connection)
    {
        try
        {
            connection ??= Open();
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

                InsertMessages(connection, batch);
                lock (_queueGate)
                {
                    // Only this writer dequeues, so the batch is still at the front.
                    for (var i = 0; i < batch.Length; i++)
                    {
                        _pending.Dequeue();
                    }
                }
            }
        }
        catch (SqliteException e)
        {
            Failed(e);
            connection?.Dispose();
            connection = null;
            return false;
        }
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

    private void PruneIfDue(ref SqliteConnection? connection)
    {
        var noRetention = _options.RetentionMaxMessages <= 0 && _options.RetentionMaxAgeHours <= 0 && _options.RoomRetentionMaxMessages.Count == 0;
        if (noRetention || _time.GetElapsedTime(_lastPrune) < TimeSpan.FromSeconds(_options.PruneIntervalSeconds))
        {
            return;
        }

        _lastPrune = _time.GetTimestamp();
        try
        {
            connection ??= Open();
            PruneNow(connection);
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
