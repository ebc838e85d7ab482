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

    // Only a name whose lease is gone is dropped: a node that renewed meanwhile stays listed.
    private const string ForgetIfExpired = "if redis.call('EXISTS', KEYS[1]) == 0 then return redis.call('SREM', KEYS[2], ARGV[1]) end return 0";

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
            if (leases[i].IsNull)
            {
                _ = database.ScriptEvaluateAsync(ForgetIfExpired, [NodeKey(names[i].ToString()), Nodes], [names[i]], CommandFlags.FireAndForget);
                continue;
            }

            if (Read(leases[i].ToString()) is { } node)
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
