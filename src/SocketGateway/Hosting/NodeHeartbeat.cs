using SocketGateway.Core;
using SocketGateway.Core.Cluster;
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
    RedisNodeDirectory directory,
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
        bus.Start();
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
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
        [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} could not renew its lease in Redis ({Reason}); retrying")]
        public static partial void RenewalFailed(ILogger logger, string node, string reason);
    }
}
