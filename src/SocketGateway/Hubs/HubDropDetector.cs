using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Features;

namespace SocketGateway.Hubs;

/// <summary>
/// Tells a dropped hub connection from one its user closed. SignalR ends both the same way (a socket that vanished
/// without a close handshake gives <c>OnDisconnectedAsync</c> no exception), yet only a drop is held for a resume: a
/// closed tab sends a WebSocket close frame, <c>connection.stop()</c> a SignalR close message first, and their user
/// leaves at once. So each hub WebSocket is watched, and the connection counts as dropped when its last socket
/// failed without a close frame, or when SignalR ended it with an error (a client that stopped answering).
/// With stateful reconnect one connection has several sockets in turn; they share one watch, found by the
/// connection token the client repeats (<c>id</c>).
/// </summary>
public sealed class HubDropDetector
{
    private static readonly object WatchKey = new();
    private readonly ConcurrentDictionary<string, HubSocketWatch> _byConnectionToken = new(StringComparer.Ordinal);

    /// <summary>The middleware on the hub's path: wraps the WebSocket feature of every upgrade request.</summary>
    public async Task WatchAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpWebSocketFeature>() is { IsWebSocketRequest: true } feature)
        {
            var token = ConnectionToken(context);
            var watch = token is not null && _byConnectionToken.TryGetValue(token, out var known) ? known : new HubSocketWatch();
            context.Items[WatchKey] = watch;
            var watched = new WatchedWebSocketFeature(feature, watch);
            context.Features.Set<IHttpWebSocketFeature>(watched);
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                // The socket's request ends with the socket, even when its connection waits for a stateful reconnect.
                if (watched.Socket is { } socket)
                {
                    watch.Ended(socket);
                }
            }

            return;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// The hub connection started (in <c>OnConnectedAsync</c>, while its request is alive): its socket watch, which later
    /// sockets of the same connection (a stateful reconnect) share. Null outside a WebSocket request.
    /// </summary>
    public HubSocketWatch? Connected(HttpContext? context)
    {
        if (context?.Items.TryGetValue(WatchKey, out var found) != true || found is not HubSocketWatch watch)
        {
            return null;
        }

        if (ConnectionToken(context) is { } token)
        {
            watch.ConnectionToken = token;
            _byConnectionToken[token] = watch;
        }

        return watch;
    }

    /// <summary>
    /// The hub connection ended: true when its last socket went away without a close frame, or SignalR ended it with
    /// an error (a client that stopped answering). Its request may be long gone, so only the watch is read.
    /// </summary>
    public bool Dropped(HubSocketWatch? watch, Exception? error)
    {
        if (watch?.ConnectionToken is { } token)
        {
            _byConnectionToken.TryRemove(new KeyValuePair<string, HubSocketWatch>(token, watch));
        }

        // A socket still open was ended from this side: the client's own close message (its stop), or the server.
        return error is not null || watch?.Socket is { CloseStatus: null, State: not WebSocketState.Open };
    }

    private static string? ConnectionToken(HttpContext context) =>
        context.Request.Query.TryGetValue("id", out var id) && id.Count == 1 && !string.IsNullOrEmpty(id[0]) ? id[0] : null;

    private sealed class WatchedWebSocketFeature(IHttpWebSocketFeature inner, HubSocketWatch watch) : IHttpWebSocketFeature
    {
        public WebSocket? Socket { get; private set; }

        public bool IsWebSocketRequest => inner.IsWebSocketRequest;

        public async Task<WebSocket> AcceptAsync(WebSocketAcceptContext context)
        {
            var socket = await inner.AcceptAsync(context).ConfigureAwait(false);
            Socket = socket;
            watch.Accepted(socket);
            return socket;
        }
    }
}
