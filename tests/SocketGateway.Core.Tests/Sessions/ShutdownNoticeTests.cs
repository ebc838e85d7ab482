using SocketGateway.Core.Events;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core.Tests.Sessions;

public sealed class ShutdownNoticeTests
{
    [Fact]
    public void Every_user_is_told_once_including_one_who_connects_during_the_stop_and_nobody_hears_departures()
    {
        var chat = TestChat.Create(new GatewayLimits());
        var first = chat.Connect(Via.Tcp, remote: null);
        var second = chat.Connect(Via.Tcp, remote: null);
        TestChat.Drain(first);
        TestChat.Drain(second);

        chat.AnnounceShutdown();
        chat.AnnounceShutdown();
        var late = chat.Connect(Via.Tcp, remote: null);
        chat.Disconnect(second, LeftReasons.Disconnected);

        Assert.Equal([ChatService.ShutdownNotice], TestChat.Drain(first).Select(Describe));
        Assert.Contains(ChatService.ShutdownNotice, TestChat.Drain(late).Select(Describe));
    }

    private static string Describe(ChatEvent evt) => evt is InfoEvent info ? info.Text : evt.GetType().Name;
}
