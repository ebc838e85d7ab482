using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace SocketGateway.Core.Rooms;

/// <summary>The rooms this node knows, by normalized name.</summary>
public sealed class RoomRegistry
{
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);

    public int Count => _rooms.Count;

    public IEnumerable<Room> All => _rooms.Values;

    public bool TryGet(string name, [NotNullWhen(true)] out Room? room) => _rooms.TryGetValue(name, out room);

    public bool TryAdd(Room room) => _rooms.TryAdd(room.Name, room);

    public bool TryRemove(string name, [NotNullWhen(true)] out Room? room) => _rooms.TryRemove(name, out room);
}
