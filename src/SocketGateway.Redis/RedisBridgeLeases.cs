using SocketGateway.Core.Cluster;
using StackExchange.Redis;

namespace SocketGateway.Redis;

/// <summary>
/// Bridge leases on Redis: <c>sg:bridge:{id}</c> holds the owning process's origin with the node timeout as its time
/// to live (Redis's clock expires it, as a node's lease), and <c>sg:bridge:{id}:state</c> the owner's view of it.
/// Taking and renewing are one script, so a lease is never taken from a live holder.
/// </summary>
public sealed class RedisBridgeLeases(RedisConnection redis, ClusterOptions options) : IBridgeLeases
{
    // Ours: renew. Free: take. Another's: leave it.
    private static readonly LuaScript Hold = LuaScript.Prepare("""
        local holder = redis.call('GET', @key)
        if holder == @me then
          redis.call('PEXPIRE', @key, @ttl)
          return 1
        end
        if not holder then
          redis.call('SET', @key, @me, 'PX', @ttl)
          return 1
        end
        return 0
        """);

    private static readonly LuaScript Release = LuaScript.Prepare("""
        if redis.call('GET', @key) == @me then
          redis.call('DEL', @key)
        end
        return 0
        """);

    public TimeSpan? Term => options.NodeTimeout;

    private static RedisKey LeaseKey(string id) => $"sg:bridge:{id}";

    private static RedisKey StateKey(string id) => $"sg:bridge:{id}:state";

    public async Task<bool> HoldAsync(string bridgeId, CancellationToken cancellationToken)
    {
        var held = await redis.Database.ScriptEvaluateAsync(Hold, new
        {
            key = LeaseKey(bridgeId),
            me = (RedisValue)redis.Origin,
            ttl = (long)options.NodeTimeout.TotalMilliseconds,
        }).ConfigureAwait(false);
        return (long)held == 1;
    }

    public Task ReleaseAsync(string bridgeId, CancellationToken cancellationToken) =>
        redis.Database.ScriptEvaluateAsync(Release, new { key = LeaseKey(bridgeId), me = (RedisValue)redis.Origin });

    public Task PublishStateAsync(string bridgeId, string json, CancellationToken cancellationToken) =>
        redis.Database.StringSetAsync(StateKey(bridgeId), json, options.NodeTimeout);

    public async Task<IReadOnlyDictionary<string, string>> ReadStatesAsync(IReadOnlyCollection<string> bridgeIds, CancellationToken cancellationToken)
    {
        if (bridgeIds.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        var ids = bridgeIds.ToArray();
        var values = await redis.Database.StringGetAsync([.. ids.Select(StateKey)]).ConfigureAwait(false);
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            if (!values[i].IsNull)
            {
                states[ids[i]] = values[i].ToString();
            }
        }

        return states;
    }
}
