using System.Collections.Concurrent;
using System.Security.Cryptography;
using SocketGateway.Core.Events;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core;

/// <summary>
/// Nothing missed after a drop (contract): a session that asked for a resume token is not ended when its connection
/// drops. A stand-in without a connection takes its place in its rooms and on its nick — the others see no leave —
/// and collects what it is sent, up to the outbound queue's limit. A new connection that shows the token within the
/// window takes the place over in turn: the missed events are handed to it in order, then <c>* resumed</c>. After the
/// window, or once the stand-in's queue is full, it leaves as any dropped user does (<c>left (disconnected)</c>).
/// </summary>
public sealed partial class ChatService
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
            if (session.ResumeToken is null)
            {
                session.ResumeToken = RandomNumberGenerator.GetHexString(48, lowercase: true);
                _resumable[session.ResumeToken] = session;
            }

            return session.ResumeToken;
        }
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
    /// The token is spent; an unknown, spent, expired or overflowed one is <c>bad_argument</c> and nothing changes.
    /// Returns how many events were replayed.
    /// </summary>
    public int Resume(ChatSession session, string? token)
    {
        if (string.IsNullOrEmpty(token) || !_resumable.TryGetValue(token, out var held) || !held.IsHeld)
        {
            throw new ChatException(ErrorCodes.BadArgument, "that resume token is unknown, already used or expired");
        }

        lock (rooms.Membership)
        {
            if (!held.IsHeld || held.IsClosed || held.HasOverflowed || session.IsClosed || !_resumable.TryRemove(new KeyValuePair<string, ChatSession>(token, held)))
            {
                throw new ChatException(ErrorCodes.BadArgument, "that session has ended (it missed more than could be kept, or its time ran out)");
            }

            if (ReferenceEquals(session, held))
            {
                return 0;
            }

            held.HoldTimer?.Dispose();
            held.IsHeld = false;
            // The new connection's own guest self goes first: it was only a way in (and its coming and going is not
            // among what the user missed).
            var wayIn = session.Nick;
            foreach (var name in session.Rooms)
            {
                if (rooms.TryGet(name, out var room))
                {
                    RemoveMember(room, session, LeftReasons.Left, null, notifySelf: false);
                }
            }

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

            var missed = MoveIdentity(held, session, wayIn);
            held.Close();
            session.Send(new ResumedEvent(missed));
            return missed;
        }
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
    private int MoveIdentity(ChatSession from, ChatSession to, string? skipPresenceOf = null)
    {
        var joined = from.Rooms.Order(StringComparer.Ordinal).Select(n => rooms.TryGet(n, out var r) ? r : null).OfType<Rooms.Room>().ToArray();
        var taken = 0;
        try
        {
            foreach (var room in joined)
            {
                room.SendGate.Enter();
                taken++;
            }

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
                if (skipPresenceOf is not null && PresenceNick(evt.Event) == skipPresenceOf)
                {
                    continue;
                }

                to.Deliver(evt);
                moved++;
            }

            return moved;
        }
        finally
        {
            for (var i = taken - 1; i >= 0; i--)
            {
                joined[i].SendGate.Exit();
            }
        }
    }

    private static string? PresenceNick(ChatEvent evt) => evt switch
    {
        JoinedEvent joined => joined.Nick,
        LeftEvent left => left.Nick,
        _ => null,
    };
}
