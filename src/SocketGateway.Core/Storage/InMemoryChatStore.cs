using System.Collections.Concurrent;
using SocketGateway.Core.Events;

namespace SocketGateway.Core.Storage;

/// <summary>History in memory: the last <c>capacity</c> messages of each room, lost on restart.</summary>
public sealed class InMemoryChatStore(int capacityPerRoom = 1000) : IChatStore, IBridgeStore
{
    private readonly ConcurrentDictionary<string, StoredRoom> _rooms = new();
    private readonly ConcurrentDictionary<string, Queue<MessageEvent>> _history = new();
    private readonly ConcurrentDictionary<StoredGrant, byte> _grants = new();
    private readonly ConcurrentDictionary<string, string> _nickOwners = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, StoredBridge> _bridges = new(StringComparer.Ordinal);
    private readonly Lock _idGate = new();
    private long _appended;
    private long _reserved;

    public Task<StoreSnapshot> OpenAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new StoreSnapshot([.. _rooms.Values], 0, [.. _grants.Keys]));

    public Task SaveGrantAsync(StoredGrant grant, bool granted, CancellationToken cancellationToken)
    {
        if (granted)
        {
            _grants.TryAdd(grant, 0);
        }
        else
        {
            _grants.TryRemove(grant, out _);
        }

        return Task.CompletedTask;
    }

    public Task SaveBridgeAsync(StoredBridge bridge, CancellationToken cancellationToken)
    {
        lock (_bridges)
        {
            if (_bridges.Values.Any(b => b.Id != bridge.Id && string.Equals(b.Nick, bridge.Nick, StringComparison.OrdinalIgnoreCase)))
            {
                throw BridgeStores.NickTaken(bridge);
            }

            _bridges[bridge.Id] = bridge;
        }

        return Task.CompletedTask;
    }

    public Task DeleteBridgeAsync(string id, CancellationToken cancellationToken)
    {
        _bridges.TryRemove(id, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StoredBridge>> ListBridgesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredBridge>>([.. _bridges.Values.OrderBy(b => b.CreatedAt).ThenBy(b => b.Id, StringComparer.Ordinal)]);

    public Task RememberNickAsync(string nick, string account, CancellationToken cancellationToken)
    {
        _nickOwners[nick] = account;
        return Task.CompletedTask;
    }

    public Task<string?> NickOwnerAsync(string nick, CancellationToken cancellationToken) =>
        Task.FromResult(_nickOwners.TryGetValue(nick, out var account) ? account : null);

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
        foreach (var grant in _grants.Keys.Where(g => g.Room == room))
        {
            _grants.TryRemove(grant, out _);
        }

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

    public Task<IReadOnlyList<MessageEvent>> GetHistoryAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken)
    {
        if (!_history.TryGetValue(room, out var ring))
        {
            return Task.FromResult<IReadOnlyList<MessageEvent>>([]);
        }

        lock (ring)
        {
            return Task.FromResult<IReadOnlyList<MessageEvent>>([.. ring.Where(m => m.Id > afterId).Take(limit)]);
        }
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
