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
    private object? _secondAdapterPayload;

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

    /// <summary>
    /// A transport's own pre-serialized form (a SignalR message, IRC lines), made once like the others. Two slots: a
    /// room can have members of both transports that keep one; a third kind would be made again for each recipient.
    /// </summary>
    public T GetAdapterPayload<T>(Func<ChatEvent, T> create)
        where T : class
    {
        if (Volatile.Read(ref _adapterPayload) is T first)
        {
            return first;
        }

        if (Volatile.Read(ref _secondAdapterPayload) is T second)
        {
            return second;
        }

        var made = create(Event);
        // A slot another recipient filled meanwhile with the same kind is used instead, so every recipient shares one.
        return Interlocked.CompareExchange(ref _adapterPayload, made, null) switch
        {
            null => made,
            T raced => raced,
            _ => Interlocked.CompareExchange(ref _secondAdapterPayload, made, null) as T ?? made,
        };
    }

    private static int Estimate(ChatEvent evt) => 64 + evt switch
    {
        MessageEvent m => m.Text.Length * 2,
        PrivateEvent p => p.Text.Length * 2,
        HistoryEvent h => h.Messages.Sum(m => 64 + (m.Text.Length * 2)),
        RawBytesEvent r => r.Bytes.Length,
        _ => 64,
    };
}
