namespace SocketGateway.Core.Cluster;

/// <summary>The embedded default: the gateway is this one node.</summary>
public sealed class SingleNodeDirectory(ThisNode node, ChatService chat, TimeProvider time) : INodeDirectory
{
    public Task<IReadOnlyList<NodeInfo>> ListLiveNodesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<NodeInfo>>([new NodeInfo(node.Name, chat.Nicks.Count, node.StartedAt, time.GetUtcNow())]);
}
