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

        return Task.FromResult(_queue.MergeWithWaiting(stored, room, limit, beforeId));
    }

    public Task<IReadOnlyList<MessageEvent>> GetHistoryAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken)
    {
        List<MessageEvent> stored;
        try
        {
            using var connection = Open();
            stored = ReadMessagesAfter(connection, room, afterId, limit);
        }
        catch (SqliteException e)
        {
            Failed(e);
            stored = [];
        }

        return Task.FromResult(_queue.MergeWithWaitingAfter(stored, room, limit, afterId));
    }
}
