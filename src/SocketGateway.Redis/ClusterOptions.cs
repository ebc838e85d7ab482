namespace SocketGateway.Redis;

/// <summary><c>Gateway:Cluster</c>: how this node takes part in the gateway when <c>ConnectionStrings:Redis</c> is set.</summary>
public sealed class ClusterOptions
{
    public const string Section = "Gateway:Cluster";

    /// <summary>Logs, <c>/api/nodes</c> and the <c>/metrics</c> label; default the host name and HTTP port.</summary>
    public string? NodeName { get; set; }

    /// <summary>A node that stops renewing its lease is dead after this.</summary>
    public int NodeTimeoutSeconds { get; set; } = 10;

    public TimeSpan NodeTimeout => TimeSpan.FromSeconds(Math.Max(1, NodeTimeoutSeconds));

    /// <summary>Three renewals per timeout: one lost renewal (a slow Redis, a GC pause) does not make a node dead.</summary>
    public TimeSpan HeartbeatInterval => NodeTimeout / 3;
}
