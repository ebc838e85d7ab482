using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Core.Tests.Protocol;

public sealed class OutboundEventTests
{
    private sealed class HubForm;

    private sealed class IrcForm;

    private sealed class ThirdForm;

    [Fact]
    public void Two_transports_forms_are_each_made_once_and_shared_and_a_third_is_made_per_call()
    {
        var evt = new OutboundEvent(new InfoEvent("hello"));
        var made = 0;
        var hub = evt.GetAdapterPayload(_ => { made++; return new HubForm(); });
        var irc = evt.GetAdapterPayload(_ => { made++; return new IrcForm(); });
        Assert.Same(hub, evt.GetAdapterPayload(_ => { made++; return new HubForm(); }));
        Assert.Same(irc, evt.GetAdapterPayload(_ => { made++; return new IrcForm(); }));
        Assert.Equal(2, made);

        var third = evt.GetAdapterPayload(_ => new ThirdForm());
        Assert.NotSame(third, evt.GetAdapterPayload(_ => new ThirdForm()));
        Assert.Same(hub, evt.GetAdapterPayload(_ => new HubForm()));
    }
}
