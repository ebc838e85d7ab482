using System.IO.Pipelines;
using System.Net.WebSockets;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.Core.Limits;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Sessions;
using SocketGateway.Connections;
using SocketGateway.Hosting;
using SocketGateway.LineProtocol;

namespace SocketGateway.WebSockets;

/// <summary>
/// The line protocol over a WebSocket: each frame's bytes go into a pipe (with a '\n' after each message) and
/// the very same <see cref="LineConnection"/> as TCP reads them; each event line goes out as one text frame.
/// </summary>
public static class LineWebSocketEndpoint
{
    public const string Path = "/ws";

    public static IEndpointRouteBuilder MapLineWebSocket(this IEndpointRouteBuilder endpoints)
    {
        endpoints.Map(Path, HandleAsync).ExcludeFromDescription();
        return endpoints;
    }

    // How long a refusal or a goodbye may take to reach a client before the socket is closed anyway.
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private static async Task HandleAsync(HttpContext context, ChatConnections connections, LineConnection lines)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("this endpoint speaks the line protocol over WebSocket", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var peer = context.Connection.RemoteEndPoint();
        var admission = connections.TryAdmit(peer, out var lease);
        if (admission != Admission.Admitted)
        {
            await RefuseAsync(socket, admission, time).ConfigureAwait(false);
            return;
        }

        using var admitted = lease;
        var session = connections.Open(Via.WebSocket, peer, new CutOffBySocketAbort(socket));
        var shutdown = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, session.Aborted, shutdown);
        using var stopWriting = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, session.Aborted);
        var input = new Pipe();

        // Cancelling a WebSocket receive aborts the connection, which can destroy the last frames (the shutdown
        // notice, the close) before the client has read them. So a shutdown or a /quit stops the line reader, never
        // the receive: that ends with the request (when this handler returns) or with the peer.
        _ = ReceiveAsync(socket, input.Writer, context.RequestAborted);
        var writer = SendAsync(socket, session, stopWriting.Token);
        var reason = LeftReasons.Disconnected;
        try
        {
            if (await lines.ReadAsync(session, input.Reader, stopReading.Token).ConfigureAwait(false))
            {
                reason = LeftReasons.Quit;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            // The receive loop hands a dropped socket (no close handshake) to the reader as the pipe's error: an
            // ordinary disconnect. Anything else is logged as the bug it is, and the user still leaves cleanly.
            connections.Ended(Via.WebSocket, session.RemoteAddress, e);
        }
        finally
        {
            connections.Close(session, reason);
            await input.Reader.CompleteAsync().ConfigureAwait(false);
            await FinishAsync(socket, writer, stopWriting, time).ConfigureAwait(false);
        }
    }

    /// <summary>A refused connection is told one line, then closed.</summary>
    private static async Task RefuseAsync(WebSocket socket, Admission admission, TimeProvider time)
    {
        using var timeout = new CancellationTokenSource(CloseTimeout, time);
        try
        {
            var line = System.Text.Encoding.UTF8.GetBytes($"! {ErrorCodes.RateLimited}: {ChatConnections.DescribeRefusal(admission)}");
            await socket.SendAsync(line, WebSocketMessageType.Text, endOfMessage: true, timeout.Token).ConfigureAwait(false);
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "refused", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Abort();
        }
    }

    /// <summary>Never throws: however the socket ends, the pipe is completed.</summary>
    private static async Task ReceiveAsync(WebSocket socket, PipeWriter output, CancellationToken cancellationToken)
    {
        Exception? error = null;
        try
        {
            var lastByte = (byte)'\n';
            while (true)
            {
                var memory = output.GetMemory(4096);
                var result = await socket.ReceiveAsync(memory, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                output.Advance(result.Count);
                if (result.Count > 0)
                {
                    lastByte = memory.Span[result.Count - 1];
                }

                // A frame is a line; a trailing '\n' from the client is accepted, not doubled.
                if (result.EndOfMessage && lastByte != (byte)'\n')
                {
                    output.GetSpan(1)[0] = (byte)'\n';
                    output.Advance(1);
                    lastByte = (byte)'\n';
                }

                var flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            error = e is WebSocketException or IOException ? e : null;
        }

        await output.CompleteAsync(error).ConfigureAwait(false);
    }

    private static async Task SendAsync(WebSocket socket, ChatSession session, CancellationToken cancellationToken)
    {
        var queue = session.Outbound;
        var encoder = default(LineEncoder);
        try
        {
            while (await queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (queue.TryRead(out var evt))
                {
                    if (!encoder.TryEncode(evt, out var bytes))
                    {
                        continue;
                    }

                    // An event may be several lines (history); each line is its own frame, without the '\n'.
                    while (!bytes.IsEmpty)
                    {
                        var end = bytes.Span.IndexOf((byte)'\n');
                        var line = end < 0 ? bytes : bytes[..end];
                        await socket.SendAsync(line, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                        bytes = end < 0 ? ReadOnlyMemory<byte>.Empty : bytes[(end + 1)..];
                    }
                }

                session.NotifyDrained();
            }
        }
        finally
        {
            session.WriterStopped();
        }
    }

    private static async Task FinishAsync(WebSocket socket, Task writer, CancellationTokenSource stopWriting, TimeProvider time)
    {
        try
        {
            await writer.WaitAsync(CloseTimeout, time).ConfigureAwait(false);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(CloseTimeout, time);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            await stopWriting.CancelAsync().ConfigureAwait(false);
            socket.Abort();
        }
    }

    private sealed class CutOffBySocketAbort(WebSocket socket) : IChatTransport
    {
        public void CutOff() => socket.Abort();
    }
}
