using SocketGateway.Core;
using SocketGateway.Core.Cluster;
using SocketGateway.Core.Sessions;
using SocketGateway.Redis;
using SocketGateway.Redis.Bus;

namespace SocketGateway.Hosting;

/// <summary>
/// Cluster mode: connects to Redis at start, starts the bus, and renews this node's lease (with its user count) three times per
/// node timeout; a graceful stop takes the lease back at once. While Redis is down the renewals fail quietly and
/// the node goes on serving its own users; the first renewal after Redis is back lists it again.
/// </summary>
internal sealed partial class NodeHeartbeat(
    RedisConnection redis,
    RedisMessageBus bus,
    RedisNodeReaper reaper,
    RedisUserDirectory users,
    RedisNodeDirectory directory,
    RedisSessionHandover handover,
    ThisNode node,
    ChatService chat,
    ClusterOptions options,
    TimeProvider time,
    ILogger<NodeHeartbeat> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await redis.StartAsync().ConfigureAwait(false);
        // Before any listener starts (they are registered after this service): no user publishes before the bus runs.
        bus.Online += () => _ = RepublishUsersAsync();
        bus.Start();
        handover.Serve(chat);
        await ClearPreviousLifeAsync().ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    // A node restarted under its configured name within its timeout would otherwise keep its previous life's users
    // listed (their lease never lapsed). Before any listener starts: this process has no users yet. A name made from
    // the port is new with each start, and a previous life under it is reaped by the others when its lease lapses.
    private async Task ClearPreviousLifeAsync()
    {
        if (string.IsNullOrWhiteSpace(options.NodeName) || !redis.IsConnected)
        {
            return;
        }

        try
        {
            await reaper.ReapAsync(options.NodeName).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            Log.RenewalFailed(logger, options.NodeName, e.Message);
        }
    }

    // Back on Redis: the other nodes list this node's users as they are now (no ghost of one who left meanwhile), and
    // a nick someone elsewhere claimed meanwhile is given up for a guest nick (the claim made with Redis stands).
    private async Task RepublishUsersAsync()
    {
        try
        {
            await node.WhenNamed.ConfigureAwait(false);
            // The lease first (Redis may have come back empty): the other nodes list only the users of live nodes.
            await directory.RenewAsync(new NodeInfo(node.Name, chat.Nicks.Count, node.StartedAt, time.GetUtcNow())).ConfigureAwait(false);
            Task<IReadOnlyList<ChatSession>> republished;
            lock (chat.Rooms.Membership)
            {
                republished = users.RepublishAsync([.. chat.Nicks.Sessions]);
            }

            foreach (var session in await republished.ConfigureAwait(false))
            {
                Log.NickLost(logger, session.Nick);
                await chat.GiveGuestNickAsync(session).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException or ChatException)
        {
            // Redis went again: the next time it is back this runs again.
            Log.RenewalFailed(logger, node.Name, e.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await node.WhenNamed.WaitAsync(stoppingToken).ConfigureAwait(false);

        var failing = false;
        using var timer = new PeriodicTimer(options.HeartbeatInterval, time);
        do
        {
            try
            {
                await directory.RenewAsync(new NodeInfo(node.Name, chat.Nicks.Count, node.StartedAt, time.GetUtcNow())).ConfigureAwait(false);
                await reaper.SweepAsync(node.Name).ConfigureAwait(false);
                failing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Whatever it was, the node goes on serving and the next tick tries again; a faulted background
                // service would stop the host.
                if (!failing)
                {
                    Log.RenewalFailed(logger, node.Name, e.Message);
                    failing = true;
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (node.IsNamed && redis.IsConnected)
        {
            try
            {
                await directory.LeaveAsync(node.Name).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException or OperationCanceledException)
            {
                // Its lease expires by itself.
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "The nick {Nick} was claimed on another node while Redis was away; its user here gets a guest nick")]
        public static partial void NickLost(ILogger logger, string nick);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} could not renew its lease in Redis ({Reason}); retrying")]
        public static partial void RenewalFailed(ILogger logger, string node, string reason);
    }
}
