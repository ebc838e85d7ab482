using System.Collections.Concurrent;
using SocketGateway.Core.Events;

namespace SocketGateway.Core.Storage;

/// <summary>History in memory: the last <c>capacity</c> messages of each room, lost on restart.</summary>
public sealed class InMemoryChatStore(int capacityPerRoom = 1000) : IChatStore
{
    private readonly ConcurrentDictionary<string, StoredRoom> _rooms = new();
    private readonly ConcurrentDictionary<string, Queue<MessageEvent>> _history = new();
    private readonly Lock _idGate = new();
    private long _appended;
    private long _reserved;

    public Task<StoreSnapshot> OpenAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new StoreSnapshot([.. _rooms.Values], 0));

    public Task<long> ReserveMessageIdsAsync(long after, int count, CancellationToken cancellationToken)
    {
        lock (_idGate)
        {
            _reserved = Math.Max(_reserved, after) + count;
            return Task.FromResult(_reserved);
        }
    }

    public Task SaveRoomAsync(StoredRoom room, CancellationToken cancellationToken)
    {
        _rooms[room.Name] = room;
        return Task.CompletedTask;
    }

    public Task DeleteRoomAsync(string room, CancellationToken cancellationToken)
    {
        _rooms.TryRemove(room, out _);
        _history.TryRemove(room, out _);
        return Task.CompletedTask;
    }

    /// <summary>Kept at once: there is nothing to wait for (and nothing survives a restart).</summary>
    public Task WaitForCommitAsync(long position, CancellationToken cancellationToken) => Task.CompletedTask;

    public long Append(MessageEvent message)
    {
        var ring = _history.GetOrAdd(message.Room, static _ => new Queue<MessageEvent>());
        lock (ring)
        {
            ring.Enqueue(message);
            while (ring.Count > capacityPerRoom)
            {
                ring.Dequeue();
            }
        }

        return Interlocked.Increment(ref _appended);
    }

    public Task<IReadOnlyList<MessageEvent>> GetHistoryAsync(string room, int limit, long? beforeId, CancellationToken cancellationToken)
    {
        if (!_history.TryGetValue(room, out var ring))
        {
            return Task.FromResult<IReadOnlyList<MessageEvent>>([]);
        }

        lock (ring)
        {
            var page = ring.Where(m => beforeId is null || m.Id < beforeId).TakeLast(limit).ToArray();
            return Task.FromResult<IReadOnlyList<MessageEvent>>(page);
        }
    }
}
