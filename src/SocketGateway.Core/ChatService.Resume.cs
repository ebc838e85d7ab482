using System.Collections.Concurrent;
using System.Security.Cryptography;
using SocketGateway.Core.Cluster;
using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Rooms;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core;

/// <summary>
/// Nothing missed after a drop (contract): a session that asked for a resume token is not ended when its connection
/// drops. A stand-in without a connection takes its place in its rooms and on its nick — the others see no leave —
/// and collects what it is sent, up to the outbound queue's limit. A new connection that shows the token within the
/// window takes the place over in turn: the missed events are handed to it in order, then <c>* resumed</c>. After the
/// window, or once the stand-in's queue is full, it leaves as any dropped user does (<c>left (disconnected)</c>).
/// </summary>
public sealed partial class ChatService : IHeldSessions
{
    private readonly ConcurrentDictionary<string, ChatSession> _resumable = new(StringComparer.Ordinal);

    /// <summary>Sessions held after a drop, waiting for their user (a gauge, and for tests).</summary>
    public int HeldSessions => _resumable.Values.Count(s => s.IsHeld);

    /// <summary><c>/session</c>: the session's resume token, made on first ask (a fresh one after each resume).</summary>
    public string IssueResumeToken(ChatSession session)
    {
        if (limits.ResumeWindowSeconds <= 0)
        {
            throw new ChatException(ErrorCodes.BadArgument, "resuming is off on this gateway (Gateway:Sessions:ResumeWindowSeconds is 0)");
        }

        lock (rooms.Membership)
        {
            // A token for a session that has ended would name nothing (and stay in the table for ever).
            return session.IsClosed ? throw Ended() : NextResumeToken(session);
        }
    }

    // Under the membership lock.
    private string NextResumeToken(ChatSession session)
    {
        if (session.ResumeToken is null)
        {
            session.ResumeToken = RandomNumberGenerator.GetHexString(48, lowercase: true);
            _resumable[session.ResumeToken] = session;
        }

        return session.ResumeToken;
    }

    /// <summary>
    /// The connection of <paramref name="session"/> dropped: if it holds a resume token, a stand-in keeps its place for
    /// the window and true is returned; otherwise (or while the gateway stops) the caller disconnects it as usual.
    /// </summary>
    public bool TryHold(ChatSession session)
    {
        lock (rooms.Membership)
        {
            if (session.ResumeToken is not { } token || session.IsClosed || session.WasAborted || session.HasOverflowed || _stopping || limits.ResumeWindowSeconds <= 0)
            {
                return false;
            }

            var standIn = NewSession(session.Via, session.RemoteEndPoint, session.ConnectedAt);
            standIn.IsHeld = true;
            standIn.ResumeToken = token;
            standIn.Format = session.Format;
            standIn.WriterStopped(); // nobody drains it until a connection resumes it
            // A full queue ends the wait: more was missed than a resume could replay.
            standIn.OnAbort(static (held, chat) => ((ChatService)chat).EndHold(held), this);
            MoveIdentity(session, standIn);
            _resumable[token] = standIn;
            session.ResumeToken = null;
            session.Close();
            standIn.HoldTimer = time.CreateTimer(static s => ((ChatSession)s!).Abort(), standIn,
                TimeSpan.FromSeconds(limits.ResumeWindowSeconds), Timeout.InfiniteTimeSpan);
            return true;
        }
    }

    /// <summary>
    /// <c>/resume TOKEN</c>: <paramref name="session"/> (a fresh connection) becomes the held session — nick, account,
    /// rooms, current room, format — and gets every event it missed, in order, then <c>* resumed: N missed events</c>.
    /// The session may be held here or, in a cluster, on another node, which hands it over. The token is spent; an
    /// unknown, spent, expired or overflowed one is <c>bad_argument</c> and nothing changes. Returns how many events
    /// were replayed.
    /// </summary>
    public async Task<int> ResumeAsync(ChatSession session, string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token))
        {
            throw UnknownToken();
        }

        await session.Arrived.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!_resumable.TryGetValue(token, out var held))
        {
            if (handover is null)
            {
                throw UnknownToken();
            }

            try
            {
                return await ResumeFromElsewhereAsync(session, token, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not (ChatException or OperationCanceledException or OutOfMemoryException))
            {
                // The cluster's store failed (Redis went away mid-handover): a refusal the connection can show.
                throw new ChatException(ErrorCodes.BadArgument, $"that session could not be fetched from the other nodes: {e.Message}");
            }
        }

        if (!held.IsHeld)
        {
            throw UnknownToken();
        }

        lock (rooms.Membership)
        {
            if (!held.IsHeld || held.IsClosed || held.HasOverflowed || held.IsHandedOver(time) || session.IsClosed
                || !_resumable.TryRemove(new KeyValuePair<string, ChatSession>(token, held)))
            {
                throw Ended();
            }

            // Taken: no timer ends it now, and the stand-in keeps collecting until the place is handed on.
            held.HoldTimer?.Dispose();
            held.HandoverStarted = time.GetTimestamp();
        }

        await LeaveWayInAsync(session).ConfigureAwait(false);
        lock (rooms.Membership)
        {
            if (held.IsClosed || held.HasOverflowed || session.IsClosed)
            {
                // It filled up, or the new connection went, while the way-in guest was leaving.
                if (!held.IsClosed)
                {
                    EndHoldLater(held);
                }

                throw Ended();
            }

            held.IsHeld = false;
            return TakeOver(session, held, [], null);
        }
    }

    // Ended outside the membership lock (a disconnect publishes under it, and this runs under it).
    private void EndHoldLater(ChatSession held) => _ = Task.Run(() => EndHold(held));

    /// <summary>
    /// The new connection's own guest self leaves its rooms: it was only a way in (others saw it come, and see it go),
    /// and its going is not among what the user missed. Awaited, so that no leave of it reaches the resumed user.
    /// </summary>
    private async Task LeaveWayInAsync(ChatSession session)
    {
        var leaving = new List<Task>();
        lock (rooms.Membership)
        {
            foreach (var name in session.Rooms)
            {
                if (rooms.TryGet(name, out var room))
                {
                    leaving.Add(RemoveMember(room, session, LeftReasons.Left, null, notifySelf: false));
                }
            }
        }

        await Task.WhenAll(leaving).ConfigureAwait(false);
    }

    private static ChatException UnknownToken() => new(ErrorCodes.BadArgument, "that resume token is unknown, already used or expired");

    private static ChatException Ended() => new(ErrorCodes.BadArgument, "that session has ended (it missed more than could be kept, or its time ran out)");

    /// <summary>
    /// The held session is on another node (docs/RESUME.md). A receiver takes the user's place in its rooms here
    /// first, silently, so that from then on this node collects what the rooms say. Then the holder ends its hold and
    /// sends what its stand-in collected, with each room's last place there. What the receiver got up to those places
    /// is dropped as already among them; the rest follows them.
    /// </summary>
    private async Task<int> ResumeFromElsewhereAsync(ChatSession session, string token, CancellationToken cancellationToken)
    {
        var state = await handover!.BeginAsync(token, cancellationToken).ConfigureAwait(false) ?? throw UnknownToken();
        var receiver = NewSession(session.Via, session.RemoteEndPoint, session.ConnectedAt);
        receiver.WriterStopped(); // nobody drains it: what it collects is handed on below
        receiver.Nick = state.Nick;
        receiver.Account = state.Account;
        receiver.Format = state.Format;
        receiver.SetBannedFrom(state.BannedFrom);
        var joinPlaces = new Dictionary<string, long>(StringComparer.Ordinal);
        lock (rooms.Membership)
        {
            if (!nicks.TryClaim(receiver.Nick, receiver))
            {
                // Only the holder may have the nick; a session here with it means the directory is out of step.
                throw Ended();
            }

            foreach (var name in state.Rooms)
            {
                if (rooms.TryGet(name, out var room))
                {
                    lock (room.SendGate)
                    {
                        room.Add(receiver);
                        joinPlaces[room.Name] = room.LastPlace;
                    }

                    receiver.AddRoom(room.Name);
                }
            }

            receiver.CurrentRoom = state.CurrentRoom;
        }

        HandedOverEvents? handed = null;
        var mayBeHandedOver = false;
        var takenOver = false;
        var owner = "";
        try
        {
            // The claim goes straight to the session that will hold it (an account's is the account's on every
            // node), so that no later step here has to wait for the holder's move of it on Redis.
            owner = await directory.ClaimOwnerAsync(state.Account is null ? session : receiver).ConfigureAwait(false);
            try
            {
                // From here the holder may let go at any moment, so the connection's end no longer cancels the wait.
                mayBeHandedOver = true;
                handed = await handover.CompleteAsync(token, owner, joinPlaces).ConfigureAwait(false);
                mayBeHandedOver = handed is not null;
            }
            catch (TimeoutException)
            {
                throw new ChatException(ErrorCodes.BadArgument, "the node holding that session did not answer; it has ended");
            }

            if (handed is null)
            {
                throw Ended();
            }

            await LeaveWayInAsync(session).ConfigureAwait(false);
            lock (rooms.Membership)
            {
                if (session.IsClosed || receiver.HasOverflowed)
                {
                    throw Ended();
                }

                directory.Adopt(receiver.Nick, receiver, owner);
                takenOver = true;
                return TakeOver(session, receiver, handed.Events, handed.LastPlaces);
            }
        }
        finally
        {
            if (!mayBeHandedOver)
            {
                // Not handed over: the receiver goes as it came, unannounced.
                Withdraw(receiver);
            }
            else if (!takenOver)
            {
                // Handed over (or perhaps, if the holder never answered), but the new connection went or the
                // receiver filled up meanwhile: the user leaves as a dropped one does, rather than vanish.
                directory.Adopt(receiver.Nick, receiver, owner);
                Disconnect(receiver, LeftReasons.Disconnected);
            }
        }
    }

    // Takes a session out of its rooms and off its nick without a word to anyone (it was never announced).
    private void Withdraw(ChatSession receiver)
    {
        lock (rooms.Membership)
        {
            foreach (var name in receiver.Rooms)
            {
                if (rooms.TryGet(name, out var room))
                {
                    lock (room.SendGate)
                    {
                        room.Remove(receiver);
                    }
                }
            }

            receiver.SetRooms([]);
            nicks.Release(receiver.Nick, receiver);
            receiver.Close();
        }
    }

    /// <summary>
    /// <paramref name="session"/> (out of its rooms already) becomes <paramref name="held"/>: it takes the place, with <paramref name="before"/> (what another node collected) ahead of what <paramref name="held"/> has
    /// queued, less what it queued up to <paramref name="lastPlaces"/>. Under the membership lock.
    /// </summary>
    private int TakeOver(ChatSession session, ChatSession held, IReadOnlyList<HandedOverEvent> before, IReadOnlyDictionary<string, long>? lastPlaces)
    {
        // The way-in guest has left its rooms by now (LeaveWayInAsync); anything of it still queued is not replayed.
        var wayIn = session.Nick;
        if (session.ResumeToken is { } own)
        {
            _resumable.TryRemove(own, out _);
            session.ResumeToken = null;
        }

        if (nicks.Release(session.Nick, session))
        {
            directory.Release(session.Nick, session);
        }

        directory.Remove(session);
        session.AwaitingSignIn = false;
        if (session.Format != held.Format)
        {
            session.Format = held.Format;
            session.Send(new FormatSwitch(held.Format));
        }

        var missed = 0;
        var privateBefore = new HashSet<(string, string, string, long)>();
        foreach (var handed in before)
        {
            // The holder saw the way-in guest come too.
            if (Bus.EventWire.Decode(handed.Json) is { } evt && PresenceNick(evt) != wayIn)
            {
                if (evt is PrivateEvent pm)
                {
                    privateBefore.Add(PrivateKey(pm));
                }

                session.Deliver(new OutboundEvent(evt) { Room = handed.Room, Place = handed.Place });
                missed++;
            }
        }

        missed += MoveIdentity(held, session, wayIn, evt =>
            lastPlaces is null
            || (evt.Place > 0 && evt.Room is { } room && lastPlaces.TryGetValue(room, out var last) ? evt.Place > last
                // A private message reaches every node; the holder's copy came first.
                : evt.Event is not PrivateEvent pm || !privateBefore.Contains(PrivateKey(pm))));
        held.Close();
        // The next token at once, under the lock: a connection that drops again right after its resume is held too.
        NextResumeToken(session);
        session.Send(new ResumedEvent(missed));
        return missed;
    }
    // The window ran out, or the stand-in's queue filled up: the user leaves as a dropped one does.
    private void EndHold(ChatSession held)
    {
        lock (rooms.Membership)
        {
            if (!held.IsHeld)
            {
                return;
            }

            held.IsHeld = false;
            held.HoldTimer?.Dispose();
            if (held.ResumeToken is { } token)
            {
                _resumable.TryRemove(token, out _);
            }
        }

        Disconnect(held, LeftReasons.Disconnected);
    }

    /// <summary>
    /// <paramref name="to"/> takes <paramref name="from"/>'s place: nick, account, rooms (at the same place in each member
    /// list), current room, guest bans; then the events waiting in <paramref name="from"/>'s queue move to
    /// <paramref name="to"/>'s, in order. Every room's send gate is held throughout, so no event of those rooms falls
    /// between the two queues. Under the membership lock; returns how many events moved.
    /// </summary>
    private int MoveIdentity(ChatSession from, ChatSession to, string? skipPresenceOf = null, Func<OutboundEvent, bool>? keep = null)
    {
        using var gates = RoomGates.Enter(rooms, from.Rooms);
        var joined = gates.Rooms;
        to.Nick = from.Nick;
        to.Account = from.Account;
        to.CurrentRoom = from.CurrentRoom;
        to.SetRooms(from.Rooms);
        to.SetBannedFrom(from.BannedFrom);
        foreach (var room in joined)
        {
            room.Replace(from, to);
        }

        nicks.Replace(from.Nick, from, to);
        directory.Transfer(from.Nick, from, to);
        from.SetRooms([]);
        var moved = 0;
        while (from.Outbound.TryRead(out var evt))
        {
            if ((skipPresenceOf is not null && PresenceNick(evt.Event) == skipPresenceOf) || (keep is not null && !keep(evt)))
            {
                continue;
            }

            to.Deliver(evt);
            moved++;
        }

        return moved;
    }

    // A private message as both nodes know it (the wire keeps its time to the millisecond).
    private static (string, string, string, long) PrivateKey(PrivateEvent pm) => (pm.From, pm.To, pm.Text, pm.Ts.ToUnixTimeMilliseconds());

    private static string? PresenceNick(ChatEvent evt) => evt switch
    {
        JoinedEvent joined => joined.Nick,
        LeftEvent left => left.Nick,
        _ => null,
    };

    HeldSession? IHeldSessions.BeginHandover(string token)
    {
        lock (rooms.Membership)
        {
            if (!_resumable.TryGetValue(token, out var held) || !held.IsHeld || held.IsClosed || held.HasOverflowed || held.IsHandedOver(time))
            {
                return null;
            }

            // Promised to the asking node for a moment: a resume here meanwhile is refused, and if that node never
            // comes back for it, the promise lapses.
            held.HandoverStarted = time.GetTimestamp();
            return new HeldSession(held.Nick, held.Account, [.. held.Rooms], held.CurrentRoom, held.Format, [.. held.BannedFrom]);
        }
    }

    async Task<HandedOverEvents?> IHeldSessions.CompleteHandoverAsync(string token, string claimOwner, IReadOnlyDictionary<string, long> joinPlaces)
    {
        var caughtUp = new List<Task>();
        lock (rooms.Membership)
        {
            if (!_resumable.TryGetValue(token, out var held) || !held.IsHeld)
            {
                return null;
            }

            foreach (var name in held.Rooms)
            {
                if (joinPlaces.TryGetValue(name, out var place) && rooms.TryGet(name, out var room))
                {
                    lock (room.SendGate)
                    {
                        caughtUp.Add(room.WhenPlaced(place));
                    }
                }
            }
        }

        // The new node's receiver has only what came after these places; a room order that runs behind here would
        // otherwise leave a gap between what the stand-in got and what the receiver got. Every node gets every place
        // of a room, so the wait is short; past the bound the handover goes on rather than keep the user waiting.
        try
        {
            await Task.WhenAll(caughtUp).WaitAsync(HandoverCatchUp).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        return CompleteHandover(token, claimOwner);
    }

    /// <summary>How long a holder waits for its rooms to reach the places the receiver joined at.</summary>
    public static readonly TimeSpan HandoverCatchUp = TimeSpan.FromSeconds(2);

    private HandedOverEvents? CompleteHandover(string token, string claimOwner)
    {
        lock (rooms.Membership)
        {
            if (!_resumable.TryGetValue(token, out var held) || !held.IsHeld || held.IsClosed || held.HasOverflowed
                || !_resumable.TryRemove(new KeyValuePair<string, ChatSession>(token, held)))
            {
                return null;
            }

            held.HoldTimer?.Dispose();
            held.IsHeld = false;
            // Under every room's gate: nothing is delivered to the stand-in between reading a room's last place and
            // taking the stand-in out of it.
            using var gates = RoomGates.Enter(rooms, held.Rooms);
            var joined = gates.Rooms;
            var lastPlaces = joined.ToDictionary(r => r.Name, r => r.LastPlace, StringComparer.Ordinal);
            foreach (var room in joined)
            {
                room.Remove(held);
            }

            held.SetRooms([]);
            var events = new List<HandedOverEvent>();
            while (held.Outbound.TryRead(out var evt))
            {
                var wire = evt.Event is LeftEvent { Self: true } own ? own with { Self = false } : evt.Event;
                if (Bus.EventWire.Carries(wire) && wire is not PrivateEvent { Echo: true })
                {
                    events.Add(new HandedOverEvent(evt.Room, evt.Place, Bus.EventWire.Encode(wire)));
                }
            }

            if (nicks.Release(held.Nick, held))
            {
                directory.HandOver(held.Nick, held, claimOwner);
            }

            directory.Remove(held);
            held.Close();
            return new HandedOverEvents(events, lastPlaces);
        }
    }
}
