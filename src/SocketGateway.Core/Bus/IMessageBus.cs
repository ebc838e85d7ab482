using SocketGateway.Core.Events;

namespace SocketGateway.Core.Bus;

/// <summary>
/// The seam every fan-out goes through. The in-process bus hands events straight to this node's members; a
/// scale-out bus (Redis pub/sub) would publish them to every node, each delivering to its own members.
/// Publishing never waits on a recipient.
/// </summary>
public interface IMessageBus
{
    void PublishToRoom(string room, ChatEvent evt);

    void PublishToUser(string nick, ChatEvent evt);
}

/// <summary>What a bus calls on each node to hand an event to the members connected there.</summary>
public interface ILocalDelivery
{
    void DeliverToRoom(string room, ChatEvent evt);

    void DeliverToUser(string nick, ChatEvent evt);
}
