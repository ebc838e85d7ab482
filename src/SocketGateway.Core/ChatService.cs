using System.Security.Cryptography;
using SocketGateway.Core.Bus;
using SocketGateway.Core.Cluster;
using SocketGateway.Core.Events;
using SocketGateway.Core.Identity;
using SocketGateway.Core.Limits;
using SocketGateway.Core.Names;
using SocketGateway.Core.Rooms;
using SocketGateway.Core.Sessions;
using SocketGateway.Core.Storage;

namespace SocketGateway.Core;

/// <summary>
/// The room core: the one path by which a TCP line, a hub call and a REST request reach the rooms. Every
/// transport calls these methods; none keeps rooms, nicks or fan-out of its own.
/// </summary>
public sealed partial class ChatService(
    RoomRegistry rooms,
    NickRegistry nicks,
    IMessageBus bus,
    IChatStore store,
    MessageIdAllocator messageIds,
    IUserDirectory directory,
    GatewayLimits limits,
    TimeProvider time,
    ISessionHandover? handover = null)
{
    public const string ServerName = "SocketGateway";

    /// <summary>
    /// Refused tokens one connection may send before it is closed: the message budget slows guessing down, this ends
    /// it (a new connection meets the per-address throttle).
    /// </summary>
    public const int MaxFailedSignIns = 5;

    /// <summary>What every line user is told when the gateway stops.</summary>
    public const string ShutdownNotice = "server shutting down";

    private const string GuestPrefix = AccountNicks.GuestPrefix;

    private readonly SemaphoreSlim _roomCreation = new(1, 1);
    // Nicks known to be accounts' (from sign-ins here and from the store): a guest's /nick asks the store only once.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _accountNicks = new(StringComparer.OrdinalIgnoreCase);
    private long _sessionCounter;
    private bool _stopping; // under rooms.Membership

    public GatewayLimits Limits => limits;

    public RoomRegistry Rooms => rooms;

    public NickRegistry Nicks => nicks;

    /// <summary>Opens the store, loads its rooms and makes sure the lobby exists.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var snapshot = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await messageIds.StartAsync(snapshot.MessageIdHighWaterMark, cancellationToken).ConfigureAwait(false);
        foreach (var stored in snapshot.Rooms)
        {
            rooms.TryAdd(new Room(stored.Name, stored.Topic, stored.MaxMembers, stored.CreatedAt, stored.LastMessageId, stored.Private));
        }

        foreach (var grant in snapshot.Grants ?? [])
        {
            if (rooms.TryGet(grant.Room, out var room))
            {
                room.Access.Apply(grant.Kind, grant.Account, granted: true);
            }
        }

        if (!rooms.TryGet(RoomName.Lobby, out _))
        {
            var lobby = new StoredRoom(RoomName.Lobby, null, null, Now());
            await store.SaveRoomAsync(lobby, cancellationToken).ConfigureAwait(false);
            rooms.TryAdd(new Room(lobby.Name, null, null, lobby.CreatedAt, 0));
        }
    }

    /// <summary>
    /// A new connection: the welcome event and the lobby, under a free guest nick, or under its account's nick when it
    /// connected with a token (<paramref name="account"/>). With <paramref name="awaitSignIn"/> (a gateway without
    /// guests) a connection without an account joins nothing until it signs in. A <paramref name="resumable"/> session
    /// (the hub's) has its resume token in the welcome, so that it is held after a drop without asking. A session bound
    /// to one room (a bridge, a device) skips the lobby (<paramref name="joinLobby"/> false).
    /// </summary>
    public ChatSession Connect(string via, System.Net.IPEndPoint? remote, Account? account = null, bool awaitSignIn = false, bool resumable = false,
        bool joinLobby = true)
    {
        var session = NewSession(via, remote, Now());
        session.Account = account;
        session.AwaitingSignIn = account is null && awaitSignIn;
        session.Nick = account is null ? ClaimGuestNick(session) : ClaimAccountNick(account, session);
        var claim = directory.TryClaimAsync(session.Nick, session);
        var resumeToken = resumable && limits.ResumeWindowSeconds > 0 ? IssueResumeToken(session) : null;
        session.Send(new WelcomeEvent(session.Nick, ServerName, account?.Id, resumeToken));
        lock (rooms.Membership)
        {
            if (!session.AwaitingSignIn && joinLobby && rooms.TryGet(RoomName.Lobby, out var lobby))
            {
                session.Arrived = AddMember(lobby, session).Announced;
            }

            if (_stopping)
            {
                TellShutdown(session);
            }
        }

        if (account is not null)
        {
            _ = RememberAccountNicksAsync(session.Nick, account);
        }

        if (!claim.IsCompletedSuccessfully)
        {
            _ = RenameIfTakenElsewhereAsync(session, claim.AsTask());
        }
        else if (!claim.Result)
        {
            _ = RenameIfTakenElsewhereAsync(session, Task.FromResult(false));
        }

        return session;
    }

    private ChatSession NewSession(string via, System.Net.IPEndPoint? remote, DateTimeOffset connectedAt)
    {
        var id = Interlocked.Increment(ref _sessionCounter);
        var budget = limits.MessageRate <= 0 ? MessageBudget.Unlimited : new MessageBudget(limits.MessageRate, limits.MessageBurst, time);
        return new ChatSession(id, via, remote, connectedAt, new QueueLimits(limits.OutboundQueueLength, limits.OutboundQueueBytes), budget, time);
    }

    /// <summary>
    /// Gives a user another nick: its nick turned out to be claimed by a user on another node (claimed there while
    /// this node was cut off from Redis). A guest gets a fresh guest nick, an account its own fallback nick.
    /// </summary>
    public Task<string> GiveGuestNickAsync(ChatSession session) => RenameAsync(session, FallbackNick(session));

    // A guest nick is random, so another node's user has it only by rare chance; the guest then gets another. Connect
    // stays synchronous (every transport's start path calls it) and no guest waits for Redis.
    private async Task RenameIfTakenElsewhereAsync(ChatSession session, Task<bool> claim)
    {
        var nick = session.Nick;
        try
        {
            if (!await claim.ConfigureAwait(false) && session.Nick == nick && !session.IsClosed)
            {
                await RenameAsync(session, FallbackNick(session)).ConfigureAwait(false);
            }
        }
        catch (ChatException)
        {
            // The new nick was taken too, or the session went: it keeps what it has.
        }
    }

    private string FallbackNick(ChatSession session) =>
        session.Account is { } account && AccountNicks.Fallback(account) is var own && nicks.IsFreeFor(own, session) && own != session.Nick
            ? own
            : ClaimGuestNick(session, reserve: false);

    // The account's own nick if no other account's session holds it here, else its fallback (unique to it).
    private string ClaimAccountNick(Account account, ChatSession session)
    {
        foreach (var nick in AccountNicks.Candidates(account))
        {
            if (nicks.TryClaim(nick, session))
            {
                return nick;
            }
        }

        return ClaimGuestNick(session);
    }

    /// <summary>
    /// The gateway is stopping: every user is told now, before any connection is closed, and from here on nobody's
    /// arrival or departure is announced (each user would otherwise read everyone else leaving before its own notice).
    /// Browsers get no line for it: the hub has no event for notices.
    /// </summary>
    public void AnnounceShutdown()
    {
        lock (rooms.Membership)
        {
            _stopping = true;
            foreach (var session in nicks.Sessions)
            {
                TellShutdown(session);
            }
        }
    }

    private static void TellShutdown(ChatSession session)
    {
        if (!session.ToldShutdown)
        {
            session.ToldShutdown = true;
            session.Send(new InfoEvent(ShutdownNotice));
        }
    }

    /// <summary>The connection is gone (or is going): leave every room, free the nick, end the queue.</summary>
    public void Disconnect(ChatSession session, string reason, string? text = null)
    {
        lock (rooms.Membership)
        {
            if (session.IsClosed)
            {
                return;
            }

            // The nick first: its release on Redis is then written ahead of the leaves, so that whoever sees the
            // user leave, on any node, finds the nick free.
            if (nicks.Release(session.Nick, session))
            {
                // The last session of an account here gives up the gateway-wide claim; the others keep it.
                directory.Release(session.Nick, session);
            }

            // Its record too, for the same reason: whoever sees the leave and lists the users does not find it.
            directory.Remove(session);
            foreach (var name in session.Rooms)
            {
                if (rooms.TryGet(name, out var room))
                {
                    RemoveMember(room, session, reason, text, notifySelf: false, listed: false);
                }
            }

            if (session.ResumeToken is { } token)
            {
                // Left for good (a /quit, an expired hold): its token resumes nothing.
                _resumable.TryRemove(new KeyValuePair<string, ChatSession>(token, session));
            }

            session.Close();
        }
    }

    /// <summary>Every connected user of the gateway once: this node's, then the other nodes', by connection time.</summary>
    /// <remarks>A user's private rooms are left out of its <c>rooms</c> for a viewer who may not see them.</remarks>
    public async Task<IReadOnlyList<UserInfo>> ListUsersAsync(Viewer viewer, CancellationToken cancellationToken = default)
    {
        var elsewhere = await directory.ListElsewhereAsync(cancellationToken).ConfigureAwait(false);
        return [.. LocalUsers().Concat(elsewhere).OrderBy(u => u.ConnectedAt).Select(u => VisibleTo(u, viewer))];
    }

    private UserInfo VisibleTo(UserInfo user, Viewer viewer) =>
        viewer.IsAdmin || user.Rooms.All(r => !rooms.TryGet(r, out var room) || MaySee(room, viewer))
            ? user
            : user with { Rooms = [.. user.Rooms.Where(r => rooms.TryGet(r, out var room) && MaySee(room, viewer))] };

    private IEnumerable<UserInfo> LocalUsers() =>
        nicks.Sessions.Where(s => !s.AwaitingSignIn)
            .Select(s => new UserInfo(s.Nick, s.Via, s.Rooms, s.RemoteAddress, s.ConnectedAt, directory.NodeName, s.Account?.Id));

    /// <summary>For transports that answer a request: take a message token or refuse with rate_limited.</summary>
    public static void TakeMessageBudget(ChatSession session)
    {
        if (!session.Budget.TryTake(out var retryAfter))
        {
            throw new ChatException(ErrorCodes.RateLimited,
                $"too many messages; try again in {Math.Ceiling(retryAfter.TotalSeconds)} s");
        }
    }

    private string ClaimGuestNick(ChatSession session, bool reserve = true)
    {
        for (var length = 4; ; length += 2)
        {
            for (var attempt = 0; attempt < 16; attempt++)
            {
                var nick = string.Create(GuestPrefix.Length + length, length, static (chars, _) =>
                {
                    GuestPrefix.CopyTo(chars);
                    RandomNumberGenerator.GetHexString(chars[GuestPrefix.Length..], lowercase: true);
                });
                if (reserve ? nicks.TryClaim(nick, session) : !nicks.IsTaken(nick))
                {
                    return nick;
                }
            }
        }
    }

    private DateTimeOffset Now() => UtcMillisecondsConverter.Truncate(time.GetUtcNow());
}
