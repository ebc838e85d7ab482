using System.Text;

namespace SocketGateway.LoadTool.Clients;

/// <summary>
/// A browser-like user of the hub at /hubs/chat, speaking the SignalR JSON protocol over WebSocket directly
/// (skipping negotiation, as the official client's <c>SkipNegotiation</c> does): the official client would spend
/// more CPU deserializing events than the server spends sending them, on the same two cores.
/// </summary>
public sealed class SignalRClient(MeasureWindow window) : WebSocketClientBase(window)
{
    private const byte RecordSeparator = 0x1e;
    private byte[] _sendBuffer = [];
    private int _invocation;

    protected override byte Separator => RecordSeparator;

    protected override bool FrameEndsRecord => false;

    public override async Task ConnectAsync(ServerEndpoint server, CancellationToken cancellationToken)
    {
        await OpenAsync(new Uri($"ws://{server.Host}:{server.HttpPort}/hubs/chat"), cancellationToken);
        await SendFrameAsync("{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray(), cancellationToken);
        await WaitForAckAsync(1, cancellationToken); // the welcome event
    }

    public override async Task JoinAsync(string room, CancellationToken cancellationToken)
    {
        var target = Acks + 1;
        var id = ++_invocation;
        await SendFrameAsync(Encoding.UTF8.GetBytes($"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":\"Join\",\"arguments\":[\"{room}\"]}}\u001e"), cancellationToken);
        await WaitForAckAsync(target, cancellationToken);
    }

    /// <summary>Non-blocking invocations of Send (no invocation id, so no completion), all in one frame.</summary>
    public override async ValueTask SendMessagesAsync(string room, int count, CancellationToken cancellationToken)
    {
        var head = Encoding.UTF8.GetBytes($"{{\"type\":1,\"target\":\"Send\",\"arguments\":[\"{room}\",\"");
        ReadOnlySpan<byte> tail = "\"]}\u001e"u8;
        var one = head.Length + TextBytes + tail.Length;
        if (_sendBuffer.Length < count * one)
        {
            _sendBuffer = new byte[count * one];
        }

        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var span = _sendBuffer.AsSpan(i * one, one);
            head.CopyTo(span);
            WriteText(span.Slice(head.Length, TextBytes), now);
            tail.CopyTo(span[(head.Length + TextBytes)..]);
        }

        await SendFrameAsync(_sendBuffer.AsMemory(0, count * one), cancellationToken);
    }

    public ValueTask PingAsync(CancellationToken cancellationToken) =>
        SendFrameAsync("{\"type\":6}\u001e"u8.ToArray(), cancellationToken);

    protected override bool IsAck(ReadOnlySpan<byte> record) =>
        record.StartsWith("{\"type\":3"u8) || (record.StartsWith("{\"type\":1"u8) && record.IndexOf("\"target\":\"welcome\""u8) >= 0);
}
