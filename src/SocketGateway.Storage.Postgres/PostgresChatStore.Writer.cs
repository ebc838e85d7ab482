using Npgsql;
using SocketGateway.Core.Storage;

namespace SocketGateway.Storage.Postgres;

public sealed partial class PostgresChatStore
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan FinalFlushLimit = TimeSpan.FromSeconds(5);

    // Room writes that failed, waiting for the writer to retry them (null: a delete).
    private readonly Lock _roomGate = new();
    private readonly Dictionary<string, StoredRoom?> _pendingRooms = new(StringComparer.Ordinal);
    private long _lastPrune;

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
                if (!await FlushAsync(stop).ConfigureAwait(false))
                {
                    await Task.Delay(RetryDelay, _time, stop).ConfigureAwait(false);
                    _queue.Wake();
                    continue;
                }

                await PruneIfDueAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        // Graceful stop: write everything that is left, retrying a failing database for a bounded time.
        var started = _time.GetTimestamp();
        while (!await FlushAsync(CancellationToken.None).ConfigureAwait(false) && _time.GetElapsedTime(started) < FinalFlushLimit)
        {
            await Task.Delay(RetryDelay, _time, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the kept room changes, then what is waiting until the queue is empty; false if the database refused
    /// (what was not written stays queued). It also serves as the probe that notices the database is back.
    /// </summary>
    private async Task<bool> FlushAsync(CancellationToken stop)
    {
        try
        {
            // A server that accepts but does not answer (or a lock held elsewhere) counts as failing after
            // CommandTimeoutMs per step, as for room writes, so /healthz tells within seconds.
            using var deadline = Deadline(stop);
            var connection = await _dataSource.OpenConnectionAsync(deadline.Token).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await RetryPendingRoomWritesAsync(connection, deadline.Token).ConfigureAwait(false);
                while (true)
                {
                    var batch = _queue.PeekBatch(_options.MaxBatch);
                    if (batch.Length == 0)
                    {
                        Recovered();
                        return true;
                    }

                    using (var batchDeadline = Deadline(stop))
                    {
                        await InsertBatchAsync(connection, batch, batchDeadline.Token).ConfigureAwait(false);
                    }

                    _queue.Committed(batch.Length);
                }
            }
        }
        catch (Exception e) when (IsStoreFailure(e, stop))
        {
            Failed(e);
            return false;
        }
    }

    private void KeepRoomWrite(string room, StoredRoom? save)
    {
        lock (_roomGate)
        {
            _pendingRooms[room] = save;
        }

        _queue.Wake();
    }

    private async Task RetryPendingRoomWritesAsync(NpgsqlConnection connection, CancellationToken stop)
    {
        KeyValuePair<string, StoredRoom?>[] rooms;
        lock (_roomGate)
        {
            rooms = [.. _pendingRooms];
        }

        foreach (var (name, room) in rooms)
        {
            await WriteRoomAsync(connection, name, room, stop).ConfigureAwait(false);
            lock (_roomGate)
            {
                // A newer change of the same room made meanwhile stays for the next round.
                if (_pendingRooms.TryGetValue(name, out var current) && current == room)
                {
                    _pendingRooms.Remove(name);
                }
            }
        }
    }

    private async Task PruneIfDueAsync(CancellationToken stop)
    {
        var noRetention = _options.RetentionMaxMessages <= 0 && _options.RetentionMaxAgeHours <= 0 && _options.RoomRetentionMaxMessages.Count == 0;
        if (noRetention || _time.GetElapsedTime(_lastPrune) < TimeSpan.FromSeconds(_options.PruneIntervalSeconds))
        {
            return;
        }

        _lastPrune = _time.GetTimestamp();
        try
        {
            await PruneNowAsync(stop).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            Failed(e);
        }
    }

    /// <summary>Applies the retention rules once: per-room message counts, then age. Safe to run on several nodes at once.</summary>
    public async Task<int> PruneNowAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var removed = 0;
            foreach (var room in await ReadRoomNamesAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                var keep = _options.RoomRetentionMaxMessages.TryGetValue(room, out var own) ? own : _options.RetentionMaxMessages;
                if (keep > 0)
                {
                    removed += await PruneAsync(connection, room, keep, cancellationToken).ConfigureAwait(false);
                }
            }

            if (_options.RetentionMaxAgeHours > 0)
            {
                removed += await PruneOlderThanAsync(connection, _time.GetUtcNow() - TimeSpan.FromHours(_options.RetentionMaxAgeHours), cancellationToken).ConfigureAwait(false);
            }

            if (removed > 0)
            {
                Log.Pruned(_logger, removed);
            }

            return removed;
        }
    }
}
