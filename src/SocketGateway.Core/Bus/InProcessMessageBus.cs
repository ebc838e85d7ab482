using SocketGateway.Core.Events;
using SocketGateway.Core.Storage;

namespace SocketGateway.Core.Bus;

/// <summary>The single-node bus: the room's send gate is its order, the store's id blocks its ids, publishing is delivering.</summary>
public sealed class InProcessMessageBus(ILocalDelivery local, MessageIdAllocator messageIds) : IMessageBus
{
    public ValueTask<MessageEvent> PublishMessage(string room, MessageEvent draft)
    {
        var message = draft with { Id = messageIds.Next() };
        local.DeliverToRoom(room, message);
        return ValueTask.FromResult(message);
    }

    public Task PublishToRoom(string room, ChatEvent evt)
    {
        local.DeliverToRoom(room, evt);
        return Task.CompletedTask;
    }

    public void PublishToUser(string nick, ChatEvent evt) => local.DeliverToUser(nick, evt);
}
