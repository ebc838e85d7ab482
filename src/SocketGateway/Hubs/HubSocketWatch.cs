using System.Net.WebSockets;

namespace SocketGateway.Hubs;

/// <summary>
/// The WebSocket a hub connection is on now, and whether it is up. With stateful reconnect a connection outlives a
/// dropped socket for a while; until the client is back on a new one, its pump leaves the events in the session's
/// queue (bounded, held after a drop) rather than in SignalR's resend buffer, which is lost if the client never
/// comes back.
/// </summary>
public sealed class HubSocketWatch
{
    private readonly Lock _lock = new();
    private WebSocket? _socket;
    private TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The token the client repeats on each socket of the connection (<c>id</c>), once connected.</summary>
    public string? ConnectionToken { get; set; }

    public WebSocket? Socket
    {
        get
        {
            lock (_lock)
            {
                return _socket;
            }
        }
    }

    /// <summary>Completed while a socket is up; a fresh, pending task after it went down.</summary>
    public Task WhenUp
    {
        get
        {
            lock (_lock)
            {
                return _up.Task;
            }
        }
    }

    public void Accepted(WebSocket socket)
    {
        lock (_lock)
        {
            _socket = socket;
            _up.TrySetResult();
        }
    }

    /// <summary>The request of <paramref name="socket"/> ended; unless a newer socket took over, the connection is down.</summary>
    public void Ended(WebSocket socket)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_socket, socket) && _up.Task.IsCompleted)
            {
                _up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}
