using SocketGateway.Core.Events;

namespace SocketGateway.Core.Protocol;

/// <summary>A line writer's encoding state: the current format, switched by the /format marker in the queue.</summary>
public struct LineEncoder
{
    public OutputFormat Format { get; private set; }

    /// <summary>The bytes to write for this event, or false for a marker that writes nothing.</summary>
    public bool TryEncode(OutboundEvent evt, out ReadOnlyMemory<byte> bytes)
    {
        if (evt.Event is FormatSwitch change)
        {
            Format = change.Format;
            bytes = default;
            return false;
        }

        bytes = evt.Encode(Format);
        return true;
    }
}
