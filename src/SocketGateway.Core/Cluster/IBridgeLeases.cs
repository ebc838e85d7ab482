namespace SocketGateway.Core.Cluster;

/// <summary>
/// Which node runs each bridge. In a cluster every node sees every stored bridge, and a bridge runs where its lease
/// is held: the holder renews it, and when that node dies the lease expires and another node takes it. Each holder
/// also publishes what its bridges are doing, so any node's API can show them.
/// </summary>
public interface IBridgeLeases
{
    /// <summary>How long a lease lasts unrenewed; null on a single node, where every bridge is this node's.</summary>
    TimeSpan? Term { get; }

    /// <summary>Takes the lease of a bridge, or renews this node's own; false while another node holds it.</summary>
    Task<bool> HoldAsync(string bridgeId, CancellationToken cancellationToken);

    /// <summary>Gives the lease up (a stopping node, a removed bridge), so another node need not wait for it to expire.</summary>
    Task ReleaseAsync(string bridgeId, CancellationToken cancellationToken);

    /// <summary>What this node's bridge is doing, as JSON, kept as long as a lease.</summary>
    Task PublishStateAsync(string bridgeId, string json, CancellationToken cancellationToken);

    /// <summary>The published state of each bridge that has one.</summary>
    Task<IReadOnlyDictionary<string, string>> ReadStatesAsync(IReadOnlyCollection<string> bridgeIds, CancellationToken cancellationToken);
}

/// <summary>One node: no leases, every bridge is this node's.</summary>
public sealed class SingleNodeBridgeLeases : IBridgeLeases
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    public TimeSpan? Term => null;

    public Task<bool> HoldAsync(string bridgeId, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task ReleaseAsync(string bridgeId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PublishStateAsync(string bridgeId, string json, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyDictionary<string, string>> ReadStatesAsync(IReadOnlyCollection<string> bridgeIds, CancellationToken cancellationToken) =>
        Task.FromResult(None);
}
