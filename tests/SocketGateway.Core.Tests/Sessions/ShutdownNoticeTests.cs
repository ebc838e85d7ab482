using SocketGateway.Core.Bus;
using SocketGateway.Core.Events;
using SocketGateway.Core.Rooms;
using SocketGateway.Core.Sessions;
using SocketGateway.Core.Storage;

namespace SocketGateway.Core.Tests.Sessions;

public sealed class ShutdownNoticeTests
{
    [Fact]
    public async Task Every_user_is_told_once_including_one_who_connects_during_the_stop_and_nobody_hears_departures()
    {
        var rooms = new RoomRegistry();
        var nicks = new NickRegistry();
        var store = new InMemoryChatStore();
        var chat = new ChatService(rooms, nicks, new InProcessMessageBus(new LocalDelivery(rooms, nicks)), store,
            new MessageIdAllocator(store), new GatewayLimits(), TimeProvider.System);
        await chat.InitializeAsync(CancellationToken.None);
        var first = chat.Connect(Via.Tcp, remoteAddress: null);
        var second = chat.Connect(Via.Tcp, remoteAddress: null);
        Drain(first);
        Drain(second);

        chat.AnnounceShutdown();
        chat.AnnounceShutdown();
        var late = chat.Connect(Via.Tcp, remoteAddress: null);
        chat.Disconnect(second, LeftReasons.Disconnected);

        Assert.Equal([ChatService.ShutdownNotice], Drain(first).Select(Describe));
        Assert.Contains(ChatService.ShutdownNotice, Drain(late).Select(Describe));
    }

    private static string Describe(ChatEvent evt) => evt is InfoEvent info ? info.Text : evt.GetType().Name;

    private static List<ChatEvent> Drain(ChatSession session)
    {
        var events = new List<ChatEvent>();
        while (session.Outbound.TryRead(out var evt))
        {
            events.Add(evt.Event);
        }

        return events;
    }
}
