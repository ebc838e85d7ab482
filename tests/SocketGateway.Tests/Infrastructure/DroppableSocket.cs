using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections.Client;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>
/// The TCP socket under a hub client's WebSocket, kept so that a test can drop it the way a network does: a reset,
/// no close frame (a closed tab or <c>StopAsync</c> would send one).
/// </summary>
public sealed class DroppableSocket
{
    private Socket? _socket;

    public async ValueTask<WebSocket> ConnectAsync(WebSocketConnectionContext context, CancellationToken cancellationToken)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (endpoint, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(endpoint.DnsEndPoint, ct);
                _socket = socket;
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var webSocket = new ClientWebSocket();
        foreach (var header in context.Options.Headers)
        {
            webSocket.Options.SetRequestHeader(header.Key, header.Value);
        }

        await webSocket.ConnectAsync(context.Uri, new HttpMessageInvoker(handler), cancellationToken);
        return webSocket;
    }

    /// <summary>Resets the connection: the server reads an error, not a close.</summary>
    public void Drop()
    {
        var socket = _socket ?? throw new InvalidOperationException("not connected");
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }
}
