using SocketGateway.Core.Events;
using SocketGateway.Core.Identity;
using SocketGateway.Core.Names;
using SocketGateway.Core.Rooms;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core;

public sealed partial class ChatService
{
    /// <summary>
    /// Joins (creating the room if needed) and makes it current; joining a room one is in only switches to it.
    /// A new member then gets the room's recent history, up to the last message published before it joined.
    /// </summary>
    public async Task<RoomInfo> JoinAsync(ChatSession session, string? roomName, CancellationToken cancellationToken = default)
    {
        var name = RoomName.Require(roomName);
        var room = await GetOrCreateRoomAsync(name, cancellationToken).ConfigureAwait(false);
        RoomInfo info;
        long lastBeforeJoin;
        Task announced;
        lock (rooms.Membership)
        {
            if (!rooms.TryGet(name, out var current) || !ReferenceEquals(current, room))
            {
                throw new ChatException(ErrorCodes.NoSuchRoom, $"room {name} was just closed");
            }

            if (session.IsIn(name))
            {
                session.CurrentRoom = name;
                return room.ToInfo();
            }

            RequireMayJoin(room, session);
            if (room.IsFull)
            {
                throw new ChatException(ErrorCodes.RoomFull, $"room {name} is full ({room.MaxMembers} members)");
            }

            (lastBeforeJoin, announced) = AddMember(room, session);
            info = room.ToInfo();
        }

        // The member reads its own join before the room's history, as on a single node.
        await announced.ConfigureAwait(false);
        await ReplayHistoryAsync(session, name, lastBeforeJoin, cancellationToken).ConfigureAwait(false);
        return info;
    }

    private async Task ReplayHistoryAsync(ChatSession session, string room, long lastBeforeJoin, CancellationToken cancellationToken)
    {
        if (limits.ReplayOnJoin <= 0 || lastBeforeJoin == 0)
        {
            return;
        }

        var history = await store.GetHistoryAsync(room, Math.Min(limits.ReplayOnJoin, MaxHistory), lastBeforeJoin + 1, cancellationToken).ConfigureAwait(false);
        if (history.Count > 0)
        {
            session.Send(new HistoryEvent(room, history));
        }
    }

    public void Leave(ChatSession session, string? roomName)
    {
        var name = roomName is null
            ? session.CurrentRoom ?? throw new ChatException(ErrorCodes.NotInRoom, "you are in no room")
            : RoomName.Require(roomName);
        lock (rooms.Membership)
        {
            var room = RequireVisibleRoom(name, session);
            if (!session.IsIn(name))
            {
                throw new ChatException(ErrorCodes.NotInRoom, $"you are not in {name}");
            }

            RemoveMember(room, session, LeftReasons.Left, null, notifySelf: true);
        }
    }

    /// <summary>
    /// Signs <paramref name="session"/> in as <paramref name="account"/>: it takes the account's nick (its <c>name</c>,
    /// else its id when that is a valid nick; its fallback while another account's session holds that), shared with
    /// the account's other sessions, and from now on kept from guests. A connection that was waiting for a token
    /// joins the lobby now.
    /// </summary>
    public async Task SignInAsync(ChatSession session, Account account)
    {
        var previous = session.Account;
        if (previous?.Id != account.Id)
        {
            session.Account = account;
            if (!await TakeAccountNickAsync(session, account).ConfigureAwait(false))
            {
                session.Account = previous;
                throw new ChatException(ErrorCodes.NickTaken, "every nick of this account is in use by another account");
            }
        }

        session.Account = account;
        await RememberAccountNicksAsync(session.Nick, account).ConfigureAwait(false);
        Task joined = Task.CompletedTask;
        lock (rooms.Membership)
        {
            if (session.IsClosed)
            {
                // Gone while its sign-in was checked: nothing may list it again.
                return;
            }

            if (session.AwaitingSignIn)
            {
                session.AwaitingSignIn = false;
                if (rooms.TryGet(RoomName.Lobby, out var lobby))
                {
                    joined = AddMember(lobby, session).Announced;
                }
            }

            directory.Update(session);
        }

        await joined.ConfigureAwait(false);
        session.Send(new AuthEvent(session.Nick, account.Id));
    }

    private async Task<bool> TakeAccountNickAsync(ChatSession session, Account account)
    {
        foreach (var nick in AccountNicks.Candidates(account))
        {
            try
            {
                await RenameAsync(session, nick).ConfigureAwait(false);
                return true;
            }
            catch (ChatException e) when (e.Code == ErrorCodes.NickTaken)
            {
                // Another account's session has it right now: the next candidate.
            }
        }

        return false;
    }

    /// <summary>
    /// A user's own nick change. A guest may not take a nick an account has signed in under (<c>nick_taken</c>); a
    /// signed-in session keeps its account's nick, which its other sessions share (<c>forbidden</c>).
    /// </summary>
    public async Task<string> SetNickAsync(ChatSession session, string? nick)
    {
        var wanted = NickName.Require(nick);
        if (session.Account is not null)
        {
            return wanted == session.Nick
                ? wanted
                : throw new ChatException(ErrorCodes.Forbidden, "a signed-in user keeps the nick of its account");
        }

        if (!string.Equals(wanted, session.Nick, StringComparison.OrdinalIgnoreCase) && await IsAccountNickAsync(wanted).ConfigureAwait(false))
        {
            throw NickTaken(wanted);
        }

        return await RenameAsync(session, wanted).ConfigureAwait(false);
    }

    /// <summary>
    /// Changes the nick and tells every room the user is in, one event per room. In a cluster the nick is first
    /// claimed across the gateway (one of two nodes racing for it gets it), then taken here.
    /// </summary>
    private async Task<string> RenameAsync(ChatSession session, string wanted)
    {
        var old = session.Nick;
        if (old == wanted)
        {
            // The holder of the nick may change (a guest signing in under its own nick): the account's other
            // sessions may then share it.
            nicks.TryRename(session, old, wanted, out _);
            return old;
        }

        var newClaim = !string.Equals(old, wanted, StringComparison.OrdinalIgnoreCase);
        if (newClaim && (!nicks.IsFreeFor(wanted, session) || !await directory.TryClaimAsync(wanted, session).ConfigureAwait(false)))
        {
            throw NickTaken(wanted);
        }

        lock (rooms.Membership)
        {
            old = session.Nick;
            if (session.IsClosed || !nicks.TryRename(session, old, wanted, out var oldFreed))
            {
                if (newClaim && !nicks.IsTaken(wanted))
                {
                    directory.Release(wanted, session);
                }

                throw NickTaken(wanted);
            }

            session.Nick = wanted;
            if (oldFreed && !string.Equals(old, wanted, StringComparison.OrdinalIgnoreCase))
            {
                directory.Release(old, session);
            }

            directory.Update(session);
            var joined = session.Rooms;
            // In each room's send order, like its messages: else members could see a rename and a message from
            // the same moment in different orders.
            foreach (var name in joined)
            {
                if (rooms.TryGet(name, out var room))
                {
                    _ = Publish(room, new NickEvent(name, old, wanted));
                }
            }

            if (joined.Count == 0 && !session.AwaitingSignIn)
            {
                session.Send(new InfoEvent($"you are now known as {wanted}"));
            }

            return wanted;
        }
    }

    /// <summary>Whether an account has signed in under <paramref name="nick"/>, so that no guest (nor a bridge) may take it.</summary>
    public Task<bool> IsReservedForAccountAsync(string nick) => IsAccountNickAsync(nick);

    /// <summary>Whether an account has signed in under <paramref name="nick"/> (kept from guests for good).</summary>
    private async Task<bool> IsAccountNickAsync(string nick)
    {
        if (_accountNicks.ContainsKey(nick))
        {
            return true;
        }

        string? owner;
        try
        {
            owner = await store.NickOwnerAsync(nick, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ChatException)
        {
            // The store is failing: chat goes on, and the accounts that signed in since this node started (above)
            // are still kept from guests.
            return false;
        }

        if (owner is not null)
        {
            _accountNicks[nick] = owner;
        }

        return owner is not null;
    }

    /// <summary>
    /// The nick the account now has, and its <c>name</c> even when it got its fallback this time: a guest may never
    /// take the name of an account that signed in before (contract).
    /// </summary>
    private async Task RememberAccountNicksAsync(string nick, Account account)
    {
        foreach (var owned in AccountNicks.Candidates(account).Prepend(nick).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!owned.StartsWith(AccountNicks.GuestPrefix, StringComparison.OrdinalIgnoreCase))
            {
                await RememberNickAsync(owned, account).ConfigureAwait(false);
            }
        }
    }

    private async Task RememberNickAsync(string nick, Account account)
    {
        _accountNicks[nick] = account.Id;
        try
        {
            await store.RememberNickAsync(nick, account.Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ChatException)
        {
            // This node keeps it from guests meanwhile; the next sign-in writes it again.
        }
    }

    private static ChatException NickTaken(string nick) => new(ErrorCodes.NickTaken, $"the nick '{nick}' is in use");

    /// <summary>
    /// Removes a member from a room on an administrator's request, whichever node the member is on: the kick is a
    /// room event, and the member's own node removes it where the kick falls in the room's order (LocalDelivery).
    /// </summary>
    public async Task KickAsync(string roomName, string nick, CancellationToken cancellationToken = default, string? reason = null)
    {
        var name = RoomName.Require(roomName);
        var room = RequireRoom(name);
        var target = await FindUserAsync(nick, cancellationToken).ConfigureAwait(false);
        if (!target.Rooms.Contains(name, StringComparer.Ordinal))
        {
            throw NotIn(target.Nick, name);
        }

        await PublishUnderMembershipAsync(room, new LeftEvent(name, target.Nick, LeftReasons.Kicked, reason)).ConfigureAwait(false);
    }

    private static ChatException NotIn(string nick, string room) => new(ErrorCodes.NotInRoom, $"{nick} is not in {room}");

    /// <returns>
    /// The id of the last message published before the member was added (later ones reach it live), and the join's
    /// delivery on this node.
    /// </returns>
    private (long LastBeforeJoin, Task Announced) AddMember(Room room, ChatSession session)
    {
        long lastBeforeJoin;
        lock (room.SendGate)
        {
            room.Add(session);
            lastBeforeJoin = room.LastMessageId;
        }

        session.AddRoom(room.Name);
        session.CurrentRoom = room.Name;
        // Written before the join is published: a node that shows the join can list the member.
        directory.Update(session);
        var joined = new JoinedEvent(room.Name, session.Nick, session.Via);
        if (!_stopping && SendsPresence(room.Count))
        {
            return (lastBeforeJoin, Publish(room, joined));
        }

        session.Send(joined);
        return (lastBeforeJoin, Task.CompletedTask);
    }

    /// <returns>The leave's delivery on this node (complete when none is published).</returns>
    /// <param name="listed">False when the session is leaving the gateway: its record is gone, and is not written again.</param>
    private Task RemoveMember(Room room, ChatSession session, string reason, string? text, bool notifySelf, bool listed = true)
    {
        var left = new LeftEvent(room.Name, session.Nick, reason, text);
        var presence = !_stopping && SendsPresence(room.Count);
        room.Remove(session);
        session.RemoveRoom(room.Name);
        if (listed)
        {
            directory.Update(session);
        }
        if (notifySelf)
        {
            session.Send(left);
        }

        return presence ? Publish(room, left) : Task.CompletedTask;
    }

    private bool SendsPresence(int membersCountingTheOneMoving) =>
        limits.PresenceNoticeLimit <= 0 || membersCountingTheOneMoving <= limits.PresenceNoticeLimit;

    /// <summary>A room event that changes who is in the room or may be: published under the membership lock, awaited outside it.</summary>
    private Task PublishUnderMembershipAsync(Room room, ChatEvent evt)
    {
        lock (rooms.Membership)
        {
            return Publish(room, evt);
        }
    }

    private Task Publish(Room room, ChatEvent evt)
    {
        lock (room.SendGate)
        {
            return bus.PublishToRoom(room.Name, evt);
        }
    }
}
