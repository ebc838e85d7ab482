using System.Text;

namespace SocketGateway.LoadTool.Clients;

/// <summary>A line-protocol user over the raw WebSocket at /ws (text format): one frame per line.</summary>
public sealed class WsLineClient(MeasureWindow window) : WebSocketClientBase(window)
{
    private readonly byte[] _text = new byte[TextBytes];

    protected override byte Separator => (byte)'\n';

    protected override bool FrameEndsRecord => true;

    public override async Task ConnectAsync(ServerEndpoint server, CancellationToken cancellationToken)
    {
        await OpenAsync(new Uri($"ws://{server.Host}:{server.HttpPort}/ws"), cancellationToken);
        await WaitForAckAsync(1, cancellationToken);
    }

    public override async Task JoinAsync(string room, CancellationToken cancellationToken)
    {
        var target = Acks + 1;
        await SendFrameAsync(Encoding.UTF8.GetBytes($"/join {room}"), cancellationToken);
        await SendFrameAsync("/ping"u8.ToArray(), cancellationToken);
        await WaitForAckAsync(target, cancellationToken);
    }

    public override async ValueTask SendMessagesAsync(string room, int count, CancellationToken cancellationToken)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            WriteText(_text, now);
            await SendFrameAsync(_text, cancellationToken);
        }
    }

    protected override bool IsAck(ReadOnlySpan<byte> record) =>
        record.StartsWith("* welcome"u8) || record.SequenceEqual("* pong"u8);
}
