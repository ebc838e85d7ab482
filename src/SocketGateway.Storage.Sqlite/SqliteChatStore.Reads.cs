using Microsoft.Data.Sqlite;
using SocketGateway.Core.Events;

namespace SocketGateway.Storage.Sqlite;

public sealed partial class SqliteChatStore
{
    public Task<IReadOnlyList<MessageEvent>> GetHistoryAsync(string room, int limit, long? beforeId, CancellationToken cancellationToken)
    {
        List<MessageEvent> stored;
        try
        {
            using var connection = Open();
            stored = ReadMessages(connection, room, limit, beforeId);
        }
        catch (SqliteException e)
        {
            // A failing disk still leaves what is waiting in memory to show.
            Failed(e);
            stored = [];
        }

        List<MessageEvent> waiting;
        lock (_queueGate)
        {
            waiting = [.. _pending.Where(m => m.Room == room && (beforeId is null || m.Id < beforeId))];
        }

        if (waiting.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<MessageEvent>>(stored);
        }

        // A batch just written may be in both lists until the writer dequeues it.
        var merged = stored.Concat(waiting).DistinctBy(m => m.Id).OrderBy(m => m.Id).TakeLast(limit).ToList();
        return Task.FromResult<IReadOnlyList<MessageEvent>>(merged);
    }
}
