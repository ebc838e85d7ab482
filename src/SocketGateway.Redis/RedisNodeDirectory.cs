using System.Text.Json;
using SocketGateway.Core.Cluster;
using StackExchange.Redis;

namespace SocketGateway.Redis;

/// <summary>
/// Node liveness on Redis: each node renews a key with a time to live (<c>sg:node:{name}</c>, the node's figures as
/// JSON) and is listed in the set <c>sg:nodes</c>. A node is alive while its key is; Redis's own clock expires it, so
/// the nodes' clocks need not agree. A listed name whose key has expired is dropped by <see cref="RedisNodeReaper"/>.
/// </summary>
public sealed class RedisNodeDirectory(RedisConnection redis, ClusterOptions options) : INodeDirectory
{
    private static readonly RedisKey Nodes = "sg:nodes";

    private long _lastRenewedTicks;

    private static RedisKey NodeKey(string name) => $"sg:node:{name}";

    /// <summary>When this node last renewed its lease (its own clock), for readiness: connected is not enough.</summary>
    public DateTimeOffset? LastRenewed => Interlocked.Read(ref _lastRenewedTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Renews this node's lease with its current figures.</summary>
    public async Task RenewAsync(NodeInfo node)
    {
        var database = redis.Database;
        var batch = database.CreateBatch();
        var lease = batch.StringSetAsync(NodeKey(node.Name), JsonSerializer.Serialize(node), options.NodeTimeout);
        var listed = batch.SetAddAsync(Nodes, node.Name);
        batch.Execute();
        await Task.WhenAll(lease, listed).ConfigureAwait(false);
        Interlocked.Exchange(ref _lastRenewedTicks, node.LastSeen.UtcTicks);
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
            // A name without a lease stays in the set until RedisNodeReaper has removed what the node left behind.
            if (!leases[i].IsNull && Read(leases[i].ToString()) is { } node)
            {
                live.Add(node);
            }
        }

        return [.. live.OrderBy(n => n.Name, StringComparer.Ordinal)];
    }

    // A lease written by another version of the gateway that this one cannot read is left out, not an error.
    private static NodeInfo? Read(string lease)
    {
        try
        {
            return JsonSerializer.Deserialize<NodeInfo>(lease);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
