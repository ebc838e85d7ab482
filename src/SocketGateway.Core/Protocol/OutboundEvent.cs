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

    /// <summary>The room whose order the event has a place in (null for a user's own events).</summary>
    public string? Room { get; init; }

    /// <summary>The event's place in <see cref="Room"/>'s order, as the cluster's bus numbered it; 0 when not numbered.</summary>
    public long Place { get; init; }

    /// <summary>A cheap estimate of the bytes this event takes on the wire, for the per-member byte bound.</summary>
    public int EstimatedBytes { get; } = Estimate(evt);

    public ReadOnlyMemory<byte> Encode(OutputFormat format) => Event is RawBytesEvent raw ? raw.Bytes
        : format == OutputFormat.Json
        ? _json ??= JsonEventWriter.Encode(Event)
        : _text ??= TextEventWriter.Encode(Event);

    /// <summary>A transport's own pre-serialized form (e.g. a SignalR message), made once like the others.</summary>
    public T GetAdapterPayload<T>(Func<ChatEvent, T> create)
        where T : class =>
        (T)(Volatile.Read(ref _adapterPayload) ?? Interlocked.CompareExchange(ref _adapterPayload, create(Event), null) ?? _adapterPayload!);

    private static int Estimate(ChatEvent evt) => 64 + evt switch
    {
        MessageEvent m => m.Text.Length * 2,
        PrivateEvent p => p.Text.Length * 2,
        HistoryEvent h => h.Messages.Sum(m => 64 + (m.Text.Length * 2)),
        RawBytesEvent r => r.Bytes.Length,
        _ => 64,
    };
}
