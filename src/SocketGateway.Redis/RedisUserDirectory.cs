using System.Text.Json;
using SocketGateway.Core.Cluster;
using SocketGateway.Core.Events;
using SocketGateway.Core.Sessions;
using StackExchange.Redis;

namespace SocketGateway.Redis;

/// <summary>
/// Nicks and users across nodes on Redis. A nick is claimed with <c>SET sg:nick:{lower} {node}/{session} NX</c> (one of
/// two nodes racing gets it) and released by a script that deletes it only while it is still this session's. Each
/// node keeps its users in a hash, <c>sg:users:{node}</c> (field: session, value: the User object), written as they
/// connect, join, leave and are renamed; the lists read the hashes of the live nodes. Neither has a time to live: a
/// dead node's claims and users are removed by the node that notices its lease is gone (docs/CLUSTER.md).
/// </summary>
public sealed class RedisUserDirectory(RedisConnection redis, RedisNodeDirectory nodes, ThisNode node) : IUserDirectory
{
    private const string ReleaseIfOwned = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    // The owner each claim was made with, to release it by: a guest that signs in is an account by the time it gives
    // up the nick it claimed as a guest.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Session, string Nick), string> _claims = new();

    public string? NodeName => node.IsNamed ? node.Name : null;

    private static (string, string) ClaimKey(ChatSession session, string nick) => (session.Id, nick.ToLowerInvariant());

    public static RedisKey NickKey(string nick) => $"sg:nick:{nick.ToLowerInvariant()}";

    public static RedisKey UsersKey(string nodeName) => $"sg:users:{nodeName}";

    public async ValueTask<bool> TryClaimAsync(string nick, ChatSession session)
    {
        if (!redis.IsConnected)
        {
            // Degraded: this node's registry alone decides until Redis is back (the claims are then made again).
            return true;
        }

        try
        {
            var owner = await OwnerAsync(session).ConfigureAwait(false);
            var claimed = await redis.Database.StringSetAsync(NickKey(nick), owner, when: When.NotExists).ConfigureAwait(false)
                // An account's sessions on other nodes hold its nick together.
                || (session.Account is not null && await redis.Database.StringGetAsync(NickKey(nick)).ConfigureAwait(false) == owner);
            if (claimed)
            {
                _claims[ClaimKey(session, nick)] = owner;
            }

            return claimed;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return true;
        }
    }

    public void Release(string nick, ChatSession session)
    {
        var recorded = _claims.TryRemove(ClaimKey(session, nick), out var owner) ? owner : null;
        Fire(async database =>
            await database.ScriptEvaluateAsync(ReleaseIfOwned, [NickKey(nick)], [recorded ?? await OwnerAsync(session).ConfigureAwait(false)]).ConfigureAwait(false));
    }

    private const string MoveIfOwned = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2]) end return 0";

    public void Transfer(string nick, ChatSession from, ChatSession to)
    {
        Fire(async database =>
        {
            await node.WhenNamed.ConfigureAwait(false);
            var was = _claims.TryRemove(ClaimKey(from, nick), out var owner) ? owner : Owner(node.Name, from);
            var now = Owner(node.Name, to);
            _claims[ClaimKey(to, nick)] = now;
            await database.ScriptEvaluateAsync(MoveIfOwned, [NickKey(nick)], [was, now]).ConfigureAwait(false);
        });
        RemoveUser(from);
        Update(to);
    }

    public ValueTask<string> ClaimOwnerAsync(ChatSession session) => new(OwnerAsync(session));

    public void HandOver(string nick, ChatSession from, string owner)
    {
        Fire(async database =>
        {
            await node.WhenNamed.ConfigureAwait(false);
            var was = _claims.TryRemove(ClaimKey(from, nick), out var recorded) ? recorded : Owner(node.Name, from);
            await database.ScriptEvaluateAsync(MoveIfOwned, [NickKey(nick)], [was, owner]).ConfigureAwait(false);
        });
        RemoveUser(from);
    }

    public void Adopt(string nick, ChatSession session, string owner)
    {
        _claims[ClaimKey(session, nick)] = owner;
        Update(session);
    }

    public async ValueTask<bool> IsTakenElsewhereAsync(string nick)
    {
        if (!redis.IsConnected)
        {
            return false;
        }

        try
        {
            var owner = await redis.Database.StringGetAsync(NickKey(nick)).ConfigureAwait(false);
            return owner.HasValue && !owner.ToString().StartsWith(await OwnPrefixAsync().ConfigureAwait(false), StringComparison.Ordinal);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return false;
        }
    }

    public void Update(ChatSession session)
    {
        var user = Json(session);
        Fire(async database =>
        {
            await node.WhenNamed.ConfigureAwait(false);
            await database.HashSetAsync(UsersKey(node.Name), session.Id, user).ConfigureAwait(false);
        });
    }

    public void Remove(ChatSession session)
    {
        // Its claim is released (or kept by the account's other sessions here) by now: its record goes either way.
        _claims.TryRemove(ClaimKey(session, session.Nick), out _);
        RemoveUser(session);
    }

    private void RemoveUser(ChatSession session) => Fire(async database =>
    {
        await node.WhenNamed.ConfigureAwait(false);
        await database.HashDeleteAsync(UsersKey(node.Name), session.Id).ConfigureAwait(false);
    });

    /// <summary>
    /// Writes this node's users and their nick claims again, after Redis was away (or came back empty): users who
    /// left meanwhile are gone from the hash, new ones are in it. Issued at once, in one batch (call it under the
    /// core's membership lock, so that no change of a session falls between its snapshot and its write); returns the
    /// sessions whose nick a user elsewhere claimed meanwhile.
    /// </summary>
    public Task<IReadOnlyList<ChatSession>> RepublishAsync(IReadOnlyList<ChatSession> sessions)
    {
        var name = node.Name;
        var batch = redis.Database.CreateBatch();
        var written = new List<Task> { batch.KeyDeleteAsync(UsersKey(name)) };
        var claims = new List<(ChatSession Session, string Owner, Task<bool> Claimed)>(sessions.Count);
        foreach (var session in sessions)
        {
            written.Add(batch.HashSetAsync(UsersKey(name), session.Id, Json(session)));
            var owner = Owner(name, session);
            _claims[ClaimKey(session, session.Nick)] = owner;
            claims.Add((session, owner, batch.StringSetAsync(NickKey(session.Nick), owner, when: When.NotExists)));
        }

        batch.Execute();
        return ConflictsAsync(written, claims);
    }

    private async Task<IReadOnlyList<ChatSession>> ConflictsAsync(List<Task> written, List<(ChatSession Session, string Owner, Task<bool> Claimed)> claims)
    {
        await Task.WhenAll(written).ConfigureAwait(false);
        var conflicts = new List<ChatSession>();
        foreach (var (session, owner, claimed) in claims)
        {
            if (!await claimed.ConfigureAwait(false) && await redis.Database.StringGetAsync(NickKey(session.Nick)).ConfigureAwait(false) != owner)
            {
                conflicts.Add(session);
            }
        }

        return conflicts;
    }

    public async Task<IReadOnlyList<UserInfo>> ListElsewhereAsync(CancellationToken cancellationToken)
    {
        if (!redis.IsConnected || !node.IsNamed)
        {
            return [];
        }

        try
        {
            var live = await nodes.ListLiveNodesAsync(cancellationToken).ConfigureAwait(false);
            var others = live.Where(n => n.Name != node.Name).ToList();
            var hashes = await Task.WhenAll(others.Select(n => redis.Database.HashValuesAsync(UsersKey(n.Name)))).ConfigureAwait(false);
            var users = new List<UserInfo>();
            for (var i = 0; i < others.Count; i++)
            {
                foreach (var value in hashes[i])
                {
                    if (Read(value.ToString()) is { } user)
                    {
                        users.Add(user with { Node = others[i].Name });
                    }
                }
            }

            return users;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Degraded: the lists show this node's users only.
            return [];
        }
    }

    private async Task<string> OwnPrefixAsync()
    {
        await node.WhenNamed.ConfigureAwait(false);
        return node.Name + "/";
    }

    private async Task<string> OwnerAsync(ChatSession session)
    {
        await node.WhenNamed.ConfigureAwait(false);
        return Owner(node.Name, session);
    }

    /// <summary>
    /// A guest's claim names its node and session; an account's names the account, so that its sessions on every node
    /// share the nick. (The claim of an account whose node died is not reaped: another account with the same name gets its
    /// fallback nick until this one signs in again and leaves; CLUSTER.md.)
    /// </summary>
    private string Owner(string nodeName, ChatSession session) =>
        session.Account is { } account ? AccountOwnerPrefix + account.Id : $"{nodeName}/{redis.Origin}:{session.Id}";

    private const string AccountOwnerPrefix = "account:";

    // Presence writes never hold up the user: issued in order on the one connection, not awaited by anyone. One that
    // fails while Redis is away is made good when the node rejoins (it writes its users again).
    private void Fire(Func<IDatabase, Task> write)
    {
        if (!redis.IsConnected)
        {
            return;
        }

        _ = Observed(write(redis.Database));

        static async Task Observed(Task task)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
            }
        }
    }

    private static string Json(ChatSession session) =>
        JsonSerializer.Serialize(new UserInfo(session.Nick, session.Via, session.Rooms, session.RemoteAddress, session.ConnectedAt, Account: session.Account?.Id));

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
}
