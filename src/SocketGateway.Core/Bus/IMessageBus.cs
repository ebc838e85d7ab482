using SocketGateway.Core.Events;

namespace SocketGateway.Core.Bus;

/// <summary>
/// The seam every fan-out goes through, and the keeper of each room's one order. The in-process bus hands events
/// straight to this node's members; the Redis bus gives each room event its place in the room's order on Redis, then
/// delivers it to this node's members directly and to every other node once. Publishing never waits on a recipient.
/// The core calls the room methods under the room's send gate, so that a room's events are published in one order.
/// </summary>
public interface IMessageBus
{
    /// <summary>
    /// Gives a message (its <see cref="MessageEvent.Id"/> is 0) its id and its place in the room's order, and delivers
    /// it. Completes with the numbered message; at once on a single node, after a round trip to Redis in a cluster.
    /// </summary>
    ValueTask<MessageEvent> PublishMessage(string room, MessageEvent draft);

    /// <summary>
    /// Any other room event (joins, leaves, nick changes, room changes), in the same order as the room's messages.
    /// Completes once it has been handed to this node's members.
    /// </summary>
    Task PublishToRoom(string room, ChatEvent evt);

    void PublishToUser(string nick, ChatEvent evt);
}

/// <summary>
/// What a bus calls on each node to hand an event to the members connected there, in the room's order. Room changes
/// (an update, a close) are applied to this node's copy of the room here, so that every node applies them at the same
/// place in the room's order.
/// </summary>
public interface ILocalDelivery
{
    /// <param name="place">The event's place in the room's order when the bus numbers them (a cluster), else 0.</param>
    void DeliverToRoom(string room, ChatEvent evt, long place = 0);

    void DeliverToUser(string nick, ChatEvent evt);
}
