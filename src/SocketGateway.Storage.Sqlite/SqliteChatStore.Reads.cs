using Microsoft.Data.Sqlite;
using SocketGateway.Core.Events;

namespace SocketGateway.Storage.Sqlite;

public sealed partial class SqliteChatStore
{
    public Task<IReadOnlyList<MessageEvent>> GetHistoryAsync(string room, int limit, long? beforeId, CancellationToken cancellationToken) =>
        Task.FromResult(_queue.MergeWithWaiting(StoredOrNone(c => ReadMessages(c, room, limit, beforeId)), room, limit, beforeId));

    public Task<IReadOnlyList<MessageEvent>> GetHistoryAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(_queue.MergeWithWaitingAfter(StoredOrNone(c => ReadMessagesAfter(c, room, afterId, limit)), room, limit, afterId));

    // A failing disk still leaves what is waiting in memory to show: the read gives nothing, the caller merges the rest.
    private List<MessageEvent> StoredOrNone(Func<SqliteConnection, List<MessageEvent>> read)
    {
        try
        {
            using var connection = Open();
            return read(connection);
        }
        catch (SqliteException e)
        {
            Failed(e);
            return [];
        }
    }
}
