using SocketGateway.Core.Events;

namespace SocketGateway.Core.Protocol;

/// <summary>
/// An event on its way to one or many members. Each wire form is made once, on first use, and shared by every
/// recipient: a broadcast to a thousand members encodes the text once and the JSON once.
/// </summary>
public sealed class OutboundEvent(ChatEvent evt)
{
    private byte[]? _text;
    private byte[]? _json;
    private object? _adapterPayload;

    public ChatEvent Event { get; } = evt;

    public ReadOnlyMemory<byte> Encode(OutputFormat format) => Event is RawBytesEvent raw ? raw.Bytes
        : format == OutputFormat.Json
        ? _json ??= JsonEventWriter.Encode(Event)
        : _text ??= TextEventWriter.Encode(Event);

    /// <summary>A transport's own pre-serialized form (e.g. a SignalR message), made once like the others.</summary>
    public T GetAdapterPayload<T>(Func<ChatEvent, T> create)
        where T : class =>
        (T)(Volatile.Read(ref _adapterPayload) ?? Interlocked.CompareExchange(ref _adapterPayload, create(Event), null) ?? _adapterPayload!);
}
