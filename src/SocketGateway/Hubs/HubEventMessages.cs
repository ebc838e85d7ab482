using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Hubs;

/// <summary>
/// The hub message that carries an outbound event, made once per event and shared by every recipient: the event
/// type is mapped and the invocation serialized on the first recipient's pump, the others only read the cache.
/// </summary>
public static class HubEventMessages
{
    // Stands for "no hub event" in the event's cache (replies meant for line clients), so that is decided once too.
    private static readonly SerializedHubMessage None = new([]);

    public static SerializedHubMessage? For(OutboundEvent evt)
    {
        var message = evt.GetAdapterPayload(static e => HubEventNames.For(e) is { } target
            ? new SerializedHubMessage(new InvocationMessage(target, [e]))
            : None);
        return ReferenceEquals(message, None) ? null : message;
    }
}
