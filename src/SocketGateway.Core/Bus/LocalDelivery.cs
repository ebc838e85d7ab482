using SocketGateway.Core.Cluster;
using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Rooms;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core.Bus;

/// <summary>
/// Hands an event to the members connected to this node: wrapped once, queued to each, awaited by none. Room state
/// that every node keeps (the last message id a joiner's history ends at, the settings, whether the room is open) is
/// changed here, at the event's place in the room's order.
/// </summary>
public sealed class LocalDelivery(RoomRegistry rooms, NickRegistry nicks, IUserDirectory directory) : ILocalDelivery
{
    public void DeliverToRoom(string room, ChatEvent evt, long place = 0)
    {
        switch (evt)
        {
            case RoomOpenedEvent opened:
                ApplyOpen(opened);
                return;
            case RoomUpdatedEvent updated:
                ApplyUpdate(updated, place);
                return;
            case RoomClosedEvent closed:
                ApplyClose(closed, place);
                return;
            case LeftEvent { Reason: LeftReasons.Kicked } kicked:
                ApplyKick(kicked, place);
                return;
            case RoomAccessEvent access:
                ApplyAccess(access);
                return;
        }

        if (!rooms.TryGet(room, out var target))
        {
            return;
        }

        // Reentrant on a single node, where the core already holds the gate; taken here for the events a cluster's
        // bus delivers from another node.
        lock (target.SendGate)
        {
            if (evt is MessageEvent message)
            {
                target.Published(message.Id);
            }

            Fanout(target, evt, place);
        }
    }

    public void DeliverToUser(string nick, ChatEvent evt)
    {
        var sessions = nicks.SessionsOf(nick);
        if (sessions.Count == 0)
        {
            return;
        }

        var outbound = new OutboundEvent(evt);
        foreach (var session in sessions)
        {
            if (!session.AwaitingSignIn)
            {
                session.Deliver(outbound);
            }
        }
    }

    /// <summary>
    /// Under the room's gate. Every room event carries its place (a kick, an update and a close too): a session handed
    /// to another node knows exactly what it got here, and nothing of it comes twice or goes missing.
    /// </summary>
    private static void Fanout(Room room, ChatEvent evt, long place)
    {
        if (place > 0)
        {
            room.LastPlace = place;
        }

        var outbound = new OutboundEvent(evt) { Room = room.Name, Place = place };
        foreach (var member in room.Members)
        {
            member.Deliver(outbound);
        }
    }

    // A room another node made becomes known here, so that /rooms and /join find it.
    private void ApplyOpen(RoomOpenedEvent opened)
    {
        lock (rooms.Membership)
        {
            rooms.TryAdd(new Room(opened.Name, opened.Topic, opened.MaxMembers, opened.CreatedAt, 0, opened.Private));
        }
    }

    private void ApplyUpdate(RoomUpdatedEvent updated, long place)
    {
        lock (rooms.Membership)
        {
            if (!rooms.TryGet(updated.Name, out var room))
            {
                // Made on another node while this one was away from Redis.
                rooms.TryAdd(new Room(updated.Name, updated.Topic, updated.MaxMembers, updated.CreatedAt, 0, updated.Private));
                return;
            }

            lock (room.SendGate)
            {
                room.Topic = updated.Topic;
                room.MaxMembers = updated.MaxMembers;
                room.IsPrivate = updated.Private;
                Fanout(room, updated with { Members = room.Count }, place);
            }
        }
    }

    // The member is removed on its own node (if it is this one) and told; the others in the room see it leave.
    private void ApplyKick(LeftEvent kicked, long place)
    {
        lock (rooms.Membership)
        {
            if (!rooms.TryGet(kicked.Room, out var room))
            {
                return;
            }

            lock (room.SendGate)
            {
                // Every session of the nick: an account connected twice is kicked (or banned) from both.
                foreach (var target in nicks.SessionsOf(kicked.Nick))
                {
                    if (target.IsIn(kicked.Room))
                    {
                        Remove(room, target, kicked);
                    }
                }

                Fanout(room, kicked, place);
            }
        }
    }

    // Every node keeps each room's grants; a guest's ban marks its session on the node it is connected to.
    private void ApplyAccess(RoomAccessEvent access)
    {
        lock (rooms.Membership)
        {
            if (!rooms.TryGet(access.Room, out var room))
            {
                return;
            }

            if (access.Kind != RoomAccess.GuestBan)
            {
                room.Access.Apply(access.Kind, access.Subject, access.Granted);
                if (access is { Kind: Storage.GrantKinds.Ban, Granted: true })
                {
                    RemoveBanned(room, access.Subject);
                }

                return;
            }

            foreach (var guest in nicks.SessionsOf(access.Subject))
            {
                if (guest.Account is null)
                {
                    guest.BanFrom(access.Room);
                }
            }
        }
    }

    // The kicks that follow a ban name the sessions the gateway listed; one that joined here a moment before the ban
    // (not listed yet) is removed here, at the ban's place in the room's order, so a ban always holds.
    private void RemoveBanned(Room room, string account)
    {
        lock (room.SendGate)
        {
            foreach (var member in room.Members)
            {
                if (member.Account?.Id == account)
                {
                    Remove(room, member, new LeftEvent(room.Name, member.Nick, LeftReasons.Kicked, "banned"));
                }
            }
        }
    }

    // Under the room's send gate: the member is out of the room and told so, in the room's order.
    private void Remove(Room room, ChatSession member, LeftEvent left)
    {
        room.Remove(member);
        member.RemoveRoom(room.Name);
        directory.Update(member);
        member.Send(left with { Self = true });
    }

    private void ApplyClose(RoomClosedEvent closed, long place)
    {
        lock (rooms.Membership)
        {
            if (!rooms.TryRemove(closed.Room, out var room))
            {
                return;
            }

            lock (room.SendGate)
            {
                Fanout(room, closed, place);
                foreach (var member in room.Members)
                {
                    member.RemoveRoom(closed.Room);
                    directory.Update(member);
                }

                room.Clear();
            }
        }
    }
}
