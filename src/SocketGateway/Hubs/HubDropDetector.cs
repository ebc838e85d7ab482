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
    private readonly ConcurrentDictionary<string, SocketWatch> _byConnectionToken = new(StringComparer.Ordinal);

    /// <summary>The middleware on the hub's path: wraps the WebSocket feature of every upgrade request.</summary>
    public async Task WatchAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpWebSocketFeature>() is { IsWebSocketRequest: true } feature)
        {
            var token = ConnectionToken(context);
            var watch = token is not null && _byConnectionToken.TryGetValue(token, out var known) ? known : new SocketWatch();
            context.Items[WatchKey] = watch;
            context.Features.Set<IHttpWebSocketFeature>(new WatchedWebSocketFeature(feature, watch));
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>The hub connection started: later sockets of the same connection (a stateful reconnect) share its watch.</summary>
    public void Connected(HttpContext? context)
    {
        if (context is not null && ConnectionToken(context) is { } token && context.Items.TryGetValue(WatchKey, out var watch))
        {
            _byConnectionToken[token] = (SocketWatch)watch!;
        }
    }

    /// <summary>The hub connection ended: true when its last socket went away without a close frame (or with an error).</summary>
    public bool Dropped(HttpContext? context, Exception? error)
    {
        if (context is null)
        {
            return error is not null;
        }

        if (ConnectionToken(context) is { } token)
        {
            _byConnectionToken.TryRemove(token, out _);
        }

        var socket = context.Items.TryGetValue(WatchKey, out var watch) ? ((SocketWatch)watch!).Socket : null;
        // A socket still open was ended from this side: the client's own close message (its stop), or the server.
        return error is not null || socket is { CloseStatus: null, State: not WebSocketState.Open };
    }

    private static string? ConnectionToken(HttpContext context) =>
        context.Request.Query.TryGetValue("id", out var id) && id.Count == 1 && !string.IsNullOrEmpty(id[0]) ? id[0] : null;

    private sealed class SocketWatch
    {
        private WebSocket? _socket;

        public WebSocket? Socket
        {
            get => Volatile.Read(ref _socket);
            set => Volatile.Write(ref _socket, value);
        }
    }

    private sealed class WatchedWebSocketFeature(IHttpWebSocketFeature inner, SocketWatch watch) : IHttpWebSocketFeature
    {
        public bool IsWebSocketRequest => inner.IsWebSocketRequest;

        public async Task<WebSocket> AcceptAsync(WebSocketAcceptContext context)
        {
            var socket = await inner.AcceptAsync(context).ConfigureAwait(false);
            watch.Socket = socket;
            return socket;
        }
    }
}
