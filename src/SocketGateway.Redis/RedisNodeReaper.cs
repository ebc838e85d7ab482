using System.Text.Json;
using Microsoft.Extensions.Logging;
using SocketGateway.Core.Bus;
using SocketGateway.Core.Events;
using StackExchange.Redis;

namespace SocketGateway.Redis;

/// <summary>
/// Removes what a dead node left behind: its users are announced as <c>left (disconnected)</c> in each of their
/// rooms, their nick claims are freed and its user hash is deleted. The first live node that finds a node listed
/// in <c>sg:nodes</c> without a lease does it (a <c>SET NX</c> on <c>sg:reap:{name}</c> picks one); a node that
/// starts under the name of one that died clears its previous life the same way before it serves anyone.
/// </summary>
public sealed partial class RedisNodeReaper(RedisConnection redis, IMessageBus bus, ILogger<RedisNodeReaper> logger)
{
    private static readonly RedisKey Nodes = "sg:nodes";
    private static readonly TimeSpan ReapLease = TimeSpan.FromSeconds(30);

    // Only a claim the dead node still holds: its users' nicks may have been taken by others meanwhile.
    private const string ReleaseIfNodes = """
        local owner = redis.call('GET', KEYS[1])
        if owner and string.sub(owner, 1, string.len(ARGV[1])) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    /// <summary>Reaps every listed node whose lease is gone, except <paramref name="self"/>.</summary>
    public async Task SweepAsync(string self)
    {
        var database = redis.Database;
        var names = (await database.SetMembersAsync(Nodes).ConfigureAwait(false)).Select(n => n.ToString()).Where(n => n != self).ToList();
        if (names.Count == 0)
        {
            return;
        }

        var leases = await database.StringGetAsync([.. names.Select(n => (RedisKey)$"sg:node:{n}")]).ConfigureAwait(false);
        for (var i = 0; i < names.Count; i++)
        {
            if (leases[i].IsNull && await database.StringSetAsync($"sg:reap:{names[i]}", self, ReapLease, When.NotExists).ConfigureAwait(false))
            {
                await ReapAsync(names[i]).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Removes the users a node of this name left behind, then forgets the node.</summary>
    public async Task ReapAsync(string name)
    {
        var database = redis.Database;
        var usersKey = RedisUserDirectory.UsersKey(name);
        var users = (await database.HashValuesAsync(usersKey).ConfigureAwait(false))
            .Select(v => Read(v.ToString())).OfType<UserInfo>().ToList();
        foreach (var user in users)
        {
            foreach (var room in user.Rooms)
            {
                _ = bus.PublishToRoom(room, new LeftEvent(room, user.Nick, LeftReasons.Disconnected));
            }

            await database.ScriptEvaluateAsync(ReleaseIfNodes, [RedisUserDirectory.NickKey(user.Nick)], [name + "/"]).ConfigureAwait(false);
        }

        await database.KeyDeleteAsync(usersKey).ConfigureAwait(false);
        await database.SetRemoveAsync(Nodes, name).ConfigureAwait(false);
        if (users.Count > 0)
        {
            Log.Reaped(logger, name, users.Count);
        }
    }

    private static UserInfo? Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<UserInfo>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} is gone: its {Users} users were removed from their rooms and their nicks freed")]
        public static partial void Reaped(ILogger logger, string node, int users);
    }
}
