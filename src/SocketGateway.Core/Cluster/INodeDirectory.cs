namespace SocketGateway.Core.Cluster;

/// <summary>
/// The nodes that make up the gateway: this one alone on the embedded defaults, every node whose lease is alive in
/// cluster mode.
/// </summary>
public interface INodeDirectory
{
    Task<IReadOnlyList<NodeInfo>> ListLiveNodesAsync(CancellationToken cancellationToken);
}
