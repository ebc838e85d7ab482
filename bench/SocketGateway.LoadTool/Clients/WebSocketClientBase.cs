using System.Net.WebSockets;

namespace SocketGateway.LoadTool.Clients;

/// <summary>The receive loop shared by the raw /ws client and the SignalR client.</summary>
public abstract class WebSocketClientBase(MeasureWindow window) : LoadClient(window)
{
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;

    protected ClientWebSocket Socket { get; } = new();

    /// <summary>Whether the end of a frame ends a record (raw /ws: a frame is a line without its '\n').</summary>
    protected abstract bool FrameEndsRecord { get; }

    protected async Task OpenAsync(Uri uri, CancellationToken cancellationToken)
    {
        Socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await Socket.ConnectAsync(uri, cancellationToken);
        _receiving = ReceiveAsync();
    }

    protected ValueTask SendFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        Socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(buffer.AsMemory(filled, buffer.Length - filled - 1), _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                filled += result.Count;
                if (result.EndOfMessage && FrameEndsRecord)
                {
                    buffer[filled++] = Separator;
                }

                var consumed = ProcessRecords(buffer.AsSpan(0, filled));
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                if (filled >= buffer.Length - 1)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested)
            {
                Fail(e);
            }
        }

        Closed = true;
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Socket.Abort();
        Socket.Dispose();
        await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
