using System.Text.Json;
using SocketGateway.Core.Cluster;
using StackExchange.Redis;

namespace SocketGateway.Redis;

/// <summary>
/// Node liveness on Redis: each node renews a key with a time to live (<c>sg:node:{name}</c>, the node's figures as
/// JSON) and is listed in the set <c>sg:nodes</c>. A node is alive while its key is; Redis's own clock expires it, so
/// the nodes' clocks need not agree. Whoever lists the nodes drops the names whose key has expired.
/// </summary>
public sealed class RedisNodeDirectory(RedisConnection redis, ClusterOptions options) : INodeDirectory
{
    private static readonly RedisKey Nodes = "sg:nodes";

    private static RedisKey NodeKey(string name) => $"sg:node:{name}";

    /// <summary>Renews this node's lease with its current figures.</summary>
    public async Task RenewAsync(NodeInfo node)
    {
        var database = redis.Database;
        var batch = database.CreateBatch();
        var lease = batch.StringSetAsync(NodeKey(node.Name), JsonSerializer.Serialize(node), options.NodeTimeout);
        var listed = batch.SetAddAsync(Nodes, node.Name);
        batch.Execute();
        await Task.WhenAll(lease, listed).ConfigureAwait(false);
    }

    /// <summary>A node that stops gracefully leaves at once instead of after its timeout.</summary>
    public async Task LeaveAsync(string name)
    {
        var database = redis.Database;
        await Task.WhenAll(database.KeyDeleteAsync(NodeKey(name)), database.SetRemoveAsync(Nodes, name)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<NodeInfo>> ListLiveNodesAsync(CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var names = await database.SetMembersAsync(Nodes).ConfigureAwait(false);
        if (names.Length == 0)
        {
            return [];
        }

        var leases = await database.StringGetAsync([.. names.Select(n => NodeKey(n.ToString()))]).ConfigureAwait(false);
        var live = new List<NodeInfo>(names.Length);
        for (var i = 0; i < names.Length; i++)
        {
            if (leases[i].IsNull)
            {
                await database.SetRemoveAsync(Nodes, names[i]).ConfigureAwait(false);
                continue;
            }

            if (JsonSerializer.Deserialize<NodeInfo>(leases[i].ToString()) is { } node)
            {
                live.Add(node);
            }
        }

        return [.. live.OrderBy(n => n.Name, StringComparer.Ordinal)];
    }
}
