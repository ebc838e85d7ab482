using SocketGateway.Core.Events;

namespace SocketGateway.Core.Bus;

/// <summary>The single-node bus: publishing is delivering.</summary>
public sealed class InProcessMessageBus(ILocalDelivery local) : IMessageBus
{
    public void PublishToRoom(string room, ChatEvent evt) => local.DeliverToRoom(room, evt);

    public void PublishToUser(string nick, ChatEvent evt) => local.DeliverToUser(nick, evt);
}
