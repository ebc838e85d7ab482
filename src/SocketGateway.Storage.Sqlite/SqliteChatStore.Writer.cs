using Microsoft.Data.Sqlite;
using SocketGateway.Core.Events;
using SocketGateway.Core.Storage;

namespace SocketGateway.Storage.Sqlite;

public sealed partial class SqliteChatStore
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan FinalFlushLimit = TimeSpan.FromSeconds(5);

    // Room writes that failed, waiting for the writer to retry them (null: a delete). Under _roomGate.
    private readonly Dictionary<string, StoredRoom?> _pendingRooms = new(StringComparer.Ordinal);
    private long _lastPrune;
    // Used by the writer loop only: the writing connection and its prepared insert, kept open between batches.
    private SqliteConnection? _connection;
    private MessageInsert? _insert;

    /// <summary>Messages waiting to be written (for tests and metrics).</summary>
    public int PendingMessages => _queue.Count;

    private async Task WriteLoopAsync(CancellationToken stop)
    {
        _lastPrune = _time.GetTimestamp();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await _queue.WaitForWorkAsync(stop).ConfigureAwait(false);
                await _queue.GatherAsync(TimeSpan.FromMilliseconds(_options.FlushIntervalMs), _options.MaxBatch, stop).ConfigureAwait(false);
                if (!Flush())
                {
                    await Task.Delay(RetryDelay, _time, stop).ConfigureAwait(false);
                    _queue.Wake();
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
                var batch = _queue.PeekBatch(_options.MaxBatch);
                if (batch.Length == 0)
                {
                    Recovered();
                    return true;
                }

                _insert ??= new MessageInsert(connection);
                _insert.Write(batch);
                _queue.Committed(batch.Length);
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
        lock (_roomGate)
        {
            rooms = [.. _pendingRooms];
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

            lock (_roomGate)
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
