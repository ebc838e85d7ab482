using SocketGateway.Core.Events;
using SocketGateway.Core.Identity;
using SocketGateway.Core.Names;
using SocketGateway.Core.Rooms;
using SocketGateway.Core.Storage;

namespace SocketGateway.Core;

public sealed partial class ChatService
{
    public const string DefaultCloseReason = "closed by an administrator";

    /// <summary>
    /// The lobby first (as in the contract's <c>* rooms: lobby (3) "General chat", dev (1)</c>), then by name; member
    /// counts are the gateway's (this node's members and the other nodes').
    /// </summary>
    public async Task<IReadOnlyList<RoomInfo>> ListRoomsAsync(Viewer viewer, CancellationToken cancellationToken = default)
    {
        var elsewhere = await directory.ListElsewhereAsync(cancellationToken).ConfigureAwait(false);
        var counts = elsewhere.SelectMany(u => u.Rooms).CountBy(r => r, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        return [.. rooms.All.Where(r => MaySee(r, viewer)).OrderBy(r => r.Name != RoomName.Lobby).ThenBy(r => r.Name, StringComparer.Ordinal)
            .Select(r => r.ToInfo() is var info && counts.TryGetValue(r.Name, out var more) ? info with { Members = info.Members + more } : info)];
    }

    public async Task<RoomInfo> GetRoomAsync(string? roomName, Viewer viewer, CancellationToken cancellationToken = default)
    {
        var info = RequireVisibleRoom(RoomName.Require(roomName), viewer).ToInfo();
        var elsewhere = await directory.ListElsewhereAsync(cancellationToken).ConfigureAwait(false);
        return info with { Members = info.Members + elsewhere.Count(u => u.Rooms.Contains(info.Name, StringComparer.Ordinal)) };
    }

    /// <summary>A room's members on every node: this node's in the order they joined, then the others' by connection time.</summary>
    public async Task<IReadOnlyList<MemberInfo>> ListMembersAsync(string? roomName, Viewer viewer, CancellationToken cancellationToken = default)
    {
        var room = RequireVisibleRoom(RoomName.Require(roomName), viewer);
        var list = new List<MemberInfo>();
        foreach (var m in room.Members)
        {
            list.Add(new MemberInfo(m.Nick, m.Via, m.ConnectedAt, m.Account?.Id));
        }

        var elsewhere = await directory.ListElsewhereAsync(cancellationToken).ConfigureAwait(false);
        list.AddRange(elsewhere.Where(u => u.Rooms.Contains(room.Name, StringComparer.Ordinal))
            .OrderBy(u => u.ConnectedAt).Select(u => new MemberInfo(u.Nick, u.Via, u.ConnectedAt, u.Account)));
        return list;
    }

    public async Task<RoomInfo> CreateRoomAsync(string? roomName, string? topic, int? maxMembers, CancellationToken cancellationToken = default, bool isPrivate = false)
    {
        var name = RoomName.Require(roomName);
        var normalizedTopic = TopicText.Normalize(topic);
        var max = NormalizeMaxMembers(maxMembers);
        await _roomCreation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (rooms.TryGet(name, out _))
            {
                throw new ChatException(ErrorCodes.RoomExists, $"room {name} already exists");
            }

            return (await AddRoomAsync(name, normalizedTopic, max, cancellationToken, isPrivate).ConfigureAwait(false)).ToInfo();
        }
        finally
        {
            _roomCreation.Release();
        }
    }

    /// <summary>Changes topic and/or member limit (null leaves a setting as it is) and tells the members.</summary>
    public async Task<RoomInfo> UpdateRoomAsync(string? roomName, RoomChange change, CancellationToken cancellationToken = default)
    {
        var room = RequireRoom(RoomName.Require(roomName));
        var topic = change.TopicSet ? TopicText.Normalize(change.Topic) : room.Topic;
        var max = change.MaxMembersSet ? NormalizeMaxMembers(change.MaxMembers) : room.MaxMembers;
        var isPrivate = change.Private ?? room.IsPrivate;
        if (isPrivate && room.Name == RoomName.Lobby)
        {
            throw new ChatException(ErrorCodes.Forbidden, "the lobby is open to everyone");
        }

        await store.SaveRoomAsync(new StoredRoom(room.Name, topic, max, room.CreatedAt, Private: isPrivate), cancellationToken).ConfigureAwait(false);
        RoomInfo info;
        lock (rooms.Membership)
        {
            room.Topic = topic;
            room.MaxMembers = max;
            room.IsPrivate = isPrivate;
            info = room.ToInfo();
            _ = Publish(room, RoomUpdatedEvent.From(info));
        }

        return info;
    }

    /// <summary>Closes a room: its members are told and removed, its history deleted. The lobby stays.</summary>
    public async Task CloseRoomAsync(string? roomName, string? reason, CancellationToken cancellationToken = default)
    {
        var name = RoomName.Require(roomName);
        if (name == RoomName.Lobby)
        {
            throw new ChatException(ErrorCodes.Forbidden, "the lobby cannot be closed");
        }

        var why = string.IsNullOrWhiteSpace(reason) ? DefaultCloseReason : reason.Trim();
        Task closed;
        lock (rooms.Membership)
        {
            // Every node (this one too) removes the room and its members where the close falls in the room's order.
            closed = Publish(RequireRoom(name), new RoomClosedEvent(name, why));
        }

        await closed.ConfigureAwait(false);

        await store.DeleteRoomAsync(name, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Room> GetOrCreateRoomAsync(string name, CancellationToken cancellationToken)
    {
        if (rooms.TryGet(name, out var room))
        {
            return room;
        }

        await _roomCreation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return rooms.TryGet(name, out room)
                ? room
                : await AddRoomAsync(name, null, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _roomCreation.Release();
        }
    }

    // Called with _roomCreation held; the room is durable before anyone can see it.
    private async Task<Room> AddRoomAsync(string name, string? topic, int? maxMembers, CancellationToken cancellationToken, bool isPrivate = false)
    {
        if (limits.MaxRooms > 0 && rooms.Count >= limits.MaxRooms)
        {
            throw new ChatException(ErrorCodes.Forbidden, $"the gateway already has its maximum of {limits.MaxRooms} rooms");
        }

        var stored = new StoredRoom(name, topic, maxMembers, Now(), Private: isPrivate);
        await store.SaveRoomAsync(stored, cancellationToken).ConfigureAwait(false);
        var room = new Room(name, topic, maxMembers, stored.CreatedAt, 0, isPrivate);
        if (!rooms.TryAdd(room) && rooms.TryGet(name, out var madeElsewhere))
        {
            // Another node made it meanwhile and its announcement came first: that is the room.
            return madeElsewhere;
        }

        // Other nodes learn of it in the room's order, before any of its later events (here it changes nothing).
        lock (rooms.Membership)
        {
            _ = Publish(room, new RoomOpenedEvent(room.Name, room.Topic, room.MaxMembers, room.CreatedAt, room.IsPrivate));
        }

        return room;
    }

    private Room RequireRoom(string name) =>
        rooms.TryGet(name, out var room) ? room : throw new ChatException(ErrorCodes.NoSuchRoom, $"there is no room {name}");

    private static int? NormalizeMaxMembers(int? maxMembers) => maxMembers switch
    {
        null or 0 => null,
        < 0 => throw new ChatException(ErrorCodes.BadArgument, "maxMembers must be positive (or 0/null for no limit)"),
        _ => maxMembers,
    };
}

/// <summary>A PATCH of a room: only the settings marked as set (or given, for <paramref name="Private"/>) are changed.</summary>
public sealed record RoomChange(bool TopicSet, string? Topic, bool MaxMembersSet, int? MaxMembers, bool? Private = null);
