using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace SocketGateway.Core.Rooms;

/// <summary>The rooms this node knows, by normalized name.</summary>
public sealed class RoomRegistry
{
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);

    /// <summary>
    /// Held for joins, leaves, nick changes and room creation and closing: they are rare, and one lock keeps them
    /// simple and ordered. Messages never take it, only their room's send gate (always taken after this one).
    /// </summary>
    public Lock Membership { get; } = new();

    public int Count => _rooms.Count;

    public IEnumerable<Room> All => _rooms.Values;

    public bool TryGet(string name, [NotNullWhen(true)] out Room? room) => _rooms.TryGetValue(name, out room);

    public bool TryAdd(Room room) => _rooms.TryAdd(room.Name, room);

    public bool TryRemove(string name, [NotNullWhen(true)] out Room? room) => _rooms.TryRemove(name, out room);
}
