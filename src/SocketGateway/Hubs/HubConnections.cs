using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace SocketGateway.Hubs;

/// <summary>
/// The default lifetime manager, remembering each connection so that events can be written to it directly as
/// messages serialized once (<see cref="SerializedHubMessage"/>), instead of once per recipient.
/// </summary>
public sealed class HubConnections(ILogger<DefaultHubLifetimeManager<ChatHub>> logger) : DefaultHubLifetimeManager<ChatHub>(logger)
{
    private readonly ConcurrentDictionary<string, HubConnectionContext> _connections = new(StringComparer.Ordinal);

    public HubConnectionContext? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);

    /// <summary>The hub connections open on this node now (SignalR has not yet ended them).</summary>
    public ICollection<HubConnectionContext> Open => _connections.Values;

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections[connection.ConnectionId] = connection;
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.TryRemove(connection.ConnectionId, out _);
        return base.OnDisconnectedAsync(connection);
    }
}
