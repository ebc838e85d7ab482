using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Rooms;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core.Bus;

/// <summary>Hands an event to the members connected to this node: wrapped once, queued to each, awaited by none.</summary>
public sealed class LocalDelivery(RoomRegistry rooms, NickRegistry nicks) : ILocalDelivery
{
    public void DeliverToRoom(string room, ChatEvent evt)
    {
        if (!rooms.TryGet(room, out var target))
        {
            return;
        }

        var outbound = new OutboundEvent(evt);
        foreach (var member in target.Members)
        {
            member.Deliver(outbound);
        }
    }

    public void DeliverToUser(string nick, ChatEvent evt)
    {
        if (nicks.TryGet(nick, out var session))
        {
            session.Deliver(new OutboundEvent(evt));
        }
    }
}
