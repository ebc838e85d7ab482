using SocketGateway.Core.Bus;
using SocketGateway.Core.Cluster;
using SocketGateway.Core.Events;
using SocketGateway.Core.Rooms;
using SocketGateway.Core.Sessions;
using SocketGateway.Core.Storage;

namespace SocketGateway.Core.Tests.Sessions;

/// <summary>A chat service with the in-process bus and memory store, and a way to read what a session was sent.</summary>
internal static class TestChat
{
    public static ChatService Create(GatewayLimits limits, TimeProvider? time = null)
    {
        var rooms = new RoomRegistry();
        var nicks = new NickRegistry();
        var store = new InMemoryChatStore();
        var ids = new MessageIdAllocator(store);
        var directory = new LocalUserDirectory(new ThisNode(time ?? TimeProvider.System));
        var chat = new ChatService(rooms, nicks, new InProcessMessageBus(new LocalDelivery(rooms, nicks, directory), ids), store,
            ids, directory, limits, time ?? TimeProvider.System);
        chat.InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        return chat;
    }

    public static List<ChatEvent> Drain(ChatSession session)
    {
        var events = new List<ChatEvent>();
        while (session.Outbound.TryRead(out var evt))
        {
            events.Add(evt.Event);
        }

        return events;
    }
}
