using SocketGateway.Core.Events;
using SocketGateway.Core.Identity;
using SocketGateway.Core.Names;
using SocketGateway.Core.Rooms;
using SocketGateway.Core.Sessions;
using SocketGateway.Core.Storage;

namespace SocketGateway.Core;

public sealed partial class ChatService
{
    /// <summary>The longest account id a grant takes (a JWT's <c>sub</c> is a short id in practice).</summary>
    public const int MaxAccountLength = 256;

    /// <summary>Whether <paramref name="viewer"/> may know the room exists: public, or private and theirs to join, or joined.</summary>
    public static bool MaySee(Room room, Viewer viewer) =>
        !room.IsPrivate || viewer.IsAdmin || viewer.Session?.IsIn(room.Name) == true
        || (viewer.Account is { } account && MayEnterPrivate(room, account));

    private static bool MayEnterPrivate(Room room, Account account) =>
        account.IsAdmin || account.Rooms.Contains(room.Name, StringComparer.Ordinal)
        || room.Access.IsInvited(account.Id) || room.Access.IsOperator(account.Id);

    /// <summary>A banned account or guest, or anyone but the invited in a private room, may not join (<c>forbidden</c>).</summary>
    private static void RequireMayJoin(Room room, ChatSession session)
    {
        if (session.IsBannedFrom(room.Name) || (session.Account is { } banned && room.Access.IsBanned(banned.Id)))
        {
            throw new ChatException(ErrorCodes.Forbidden, $"you are banned from {room.Name}");
        }

        if (room.IsPrivate && (session.Account is not { } account || !MayEnterPrivate(room, account)))
        {
            throw new ChatException(ErrorCodes.Forbidden, $"{room.Name} is a private room; you need an invite");
        }
    }

    /// <summary>The room, or <c>no_such_room</c> (in the very words of a missing room) for a viewer who may not see it.</summary>
    private Room RequireVisibleRoom(string name, Viewer viewer) =>
        rooms.TryGet(name, out var room) && MaySee(room, viewer) ? room : throw NoSuchRoom(name);

    /// <summary>As above for a session's own call; a public room (every message's case) costs no viewer.</summary>
    private Room RequireVisibleRoom(string name, ChatSession session) =>
        rooms.TryGet(name, out var room) && (!room.IsPrivate || MaySee(room, Viewer.Of(session))) ? room : throw NoSuchRoom(name);

    private static ChatException NoSuchRoom(string name) => new(ErrorCodes.NoSuchRoom, $"there is no room {name}");

    /// <summary>Operators of the room and admins may moderate it; others get <c>forbidden</c>.</summary>
    public static bool IsOperator(Room room, ChatSession session) =>
        session.Account is { } account && (account.IsAdmin || room.Access.IsOperator(account.Id));

    /// <summary>Whether the session may moderate the room (the page shows its operator actions by this).</summary>
    public bool Moderates(ChatSession session, string? roomName) =>
        RoomName.TryNormalize(roomName, out var name) && rooms.TryGet(name, out var room) && MaySee(room, Viewer.Of(session)) && IsOperator(room, session);

    private Room RequireOperatorRoom(ChatSession session, string? roomName)
    {
        var name = roomName is null
            ? session.CurrentRoom ?? throw new ChatException(ErrorCodes.NotInRoom, "you are in no room; /join one first")
            : RoomName.Require(roomName);
        var room = RequireVisibleRoom(name, Viewer.Of(session));
        return IsOperator(room, session) ? room : throw new ChatException(ErrorCodes.Forbidden, $"only operators of {name} may do that");
    }

    /// <summary>
    /// Adds or removes an invite, a ban or an operator (REST, admin only). Stored first, then applied on every node
    /// in the room's order; a ban then removes the account's sessions from the room.
    /// </summary>
    public async Task SetGrantAsync(string? roomName, string? account, string kind, bool granted, CancellationToken cancellationToken = default)
    {
        var room = RequireRoom(RoomName.Require(roomName));
        var id = RequireAccount(account);
        // Listed before the ban applies: applying it removes this node's sessions of the account at once.
        var banned = kind == GrantKinds.Ban && granted ? await NicksOfAccountInRoomAsync(room.Name, id, cancellationToken).ConfigureAwait(false) : [];
        await store.SaveGrantAsync(new StoredGrant(room.Name, id, kind), granted, cancellationToken).ConfigureAwait(false);
        await PublishUnderMembershipAsync(room, new RoomAccessEvent(room.Name, kind, id, granted)).ConfigureAwait(false);
        // Everyone in the room sees each of them leave (the sessions themselves are out already, wherever they are).
        foreach (var nick in banned)
        {
            await PublishUnderMembershipAsync(room, BannedLeave(room, nick)).ConfigureAwait(false);
        }
    }

    /// <summary>The accounts holding a kind of grant in a room.</summary>
    public IReadOnlyList<string> ListGrants(string? roomName, string kind) => RequireRoom(RoomName.Require(roomName)).Access.List(kind);

    private const string BannedText = "banned";

    /// <summary>
    /// An operator's <c>/ban NICK</c>: a signed-in user is banned by account (stored; all its sessions leave), a guest
    /// by its connection (until it disconnects).
    /// </summary>
    public async Task BanAsync(ChatSession moderator, string? roomName, string? nick, CancellationToken cancellationToken = default)
    {
        var room = RequireOperatorRoom(moderator, roomName);
        var target = await FindUserAsync(NickName.Require(nick), cancellationToken).ConfigureAwait(false);
        if (target.Account is { } account)
        {
            await SetGrantAsync(room.Name, account, GrantKinds.Ban, granted: true, cancellationToken).ConfigureAwait(false);
            return;
        }

        await PublishUnderMembershipAsync(room, new RoomAccessEvent(room.Name, RoomAccess.GuestBan, target.Nick, true)).ConfigureAwait(false);
        if (target.Rooms.Contains(room.Name, StringComparer.Ordinal))
        {
            await PublishUnderMembershipAsync(room, BannedLeave(room, target.Nick)).ConfigureAwait(false);
        }
    }

    /// <summary>An operator's <c>/kick NICK [REASON]</c> in its current room (or the hub's room).</summary>
    public async Task KickAsOperatorAsync(ChatSession moderator, string? roomName, string? nick, string? reason, CancellationToken cancellationToken = default)
    {
        var room = RequireOperatorRoom(moderator, roomName);
        await KickAsync(room.Name, NickName.Require(nick), cancellationToken, string.IsNullOrWhiteSpace(reason) ? null : reason.Trim()).ConfigureAwait(false);
    }

    /// <summary>An operator's <c>/topic TEXT</c>: the room's topic, as a PATCH would set it.</summary>
    public Task<RoomInfo> SetTopicAsOperatorAsync(ChatSession moderator, string? roomName, string? topic, CancellationToken cancellationToken = default)
    {
        var room = RequireOperatorRoom(moderator, roomName);
        return UpdateRoomAsync(room.Name, new RoomChange(true, topic, false, null), cancellationToken);
    }

    private static string RequireAccount(string? account)
    {
        if (string.IsNullOrWhiteSpace(account) || account.Length > MaxAccountLength || account.Any(char.IsControl))
        {
            throw new ChatException(ErrorCodes.BadArgument, $"an account id is 1–{MaxAccountLength} characters without control characters");
        }

        return account;
    }

    /// <summary>A connected user anywhere in the gateway (this node first), or <c>no_such_user</c>.</summary>
    private async Task<UserInfo> FindUserAsync(string nick, CancellationToken cancellationToken)
    {
        var sessions = nicks.SessionsOf(nick);
        if (sessions is [var here, ..])
        {
            return new UserInfo(here.Nick, here.Via, [.. sessions.SelectMany(s => s.Rooms).Distinct(StringComparer.Ordinal)],
                here.RemoteAddress, here.ConnectedAt, directory.NodeName, here.Account?.Id);
        }

        var elsewhere = await directory.ListElsewhereAsync(cancellationToken).ConfigureAwait(false);
        var theirs = elsewhere.Where(u => string.Equals(u.Nick, nick, StringComparison.OrdinalIgnoreCase)).ToList();
        return theirs.Count == 0
            ? throw new ChatException(ErrorCodes.NoSuchUser, $"no user is called {NickName.Printable(nick)}")
            : theirs[0] with { Rooms = [.. theirs.SelectMany(u => u.Rooms).Distinct(StringComparer.Ordinal)] };
    }

    private async Task<IReadOnlyList<string>> NicksOfAccountInRoomAsync(string room, string account, CancellationToken cancellationToken)
    {
        var elsewhere = await directory.ListElsewhereAsync(cancellationToken).ConfigureAwait(false);
        return [.. LocalUsers().Concat(elsewhere)
            .Where(u => u.Account == account && u.Rooms.Contains(room, StringComparer.Ordinal))
            .Select(u => u.Nick).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    private static LeftEvent BannedLeave(Room room, string nick) => new(room.Name, nick, LeftReasons.Kicked, BannedText);
}
