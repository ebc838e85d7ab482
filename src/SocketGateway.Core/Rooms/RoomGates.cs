namespace SocketGateway.Core.Rooms;

/// <summary>
/// The send gates of a session's rooms, held together (entered in name order, so two holders cannot deadlock): while
/// held, no event of those rooms is delivered, so a place can change hands with nothing falling between.
/// </summary>
internal readonly struct RoomGates : IDisposable
{
    private RoomGates(Room[] rooms) => Rooms = rooms;

    /// <summary>The rooms whose gates are held, in name order.</summary>
    public Room[] Rooms { get; }

    public static RoomGates Enter(RoomRegistry registry, IReadOnlyList<string> names)
    {
        var rooms = names.Order(StringComparer.Ordinal).Select(n => registry.TryGet(n, out var r) ? r : null).OfType<Room>().ToArray();
        var taken = 0;
        try
        {
            for (; taken < rooms.Length; taken++)
            {
                rooms[taken].SendGate.Enter();
            }
        }
        catch
        {
            Exit(rooms, taken);
            throw;
        }

        return new RoomGates(rooms);
    }

    public void Dispose() => Exit(Rooms, Rooms.Length);

    private static void Exit(Room[] rooms, int count)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            rooms[i].SendGate.Exit();
        }
    }
}
