namespace SocketGateway.Core;

/// <summary>The limits of the room core (<c>Gateway:Limits</c> and <c>Gateway:Rooms</c>); 0 means no limit.</summary>
public sealed class GatewayLimits
{
    public double MessageRate { get; set; } = 10;
    public int MessageBurst { get; set; } = 20;
    public int MaxLineBytes { get; set; } = 8192;
    public int MaxRooms { get; set; } = 1000;
    public int PresenceNoticeLimit { get; set; } = 200;

    /// <summary>Events queued for one member before it counts as a slow consumer and is disconnected.</summary>
    public int OutboundQueueLength { get; set; } = 4096;

    /// <summary>Estimated bytes queued for one member before it counts as a slow consumer; 0 means no byte bound.</summary>
    public long OutboundQueueBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Messages of a room's history sent to a member who joins it (<c>Gateway:History:ReplayOnJoin</c>).</summary>
    public int ReplayOnJoin { get; set; } = 20;

    /// <summary>Open connections of every transport together (loopback excepted when exempt).</summary>
    public int MaxConnections { get; set; } = 10000;

    /// <summary>Open connections from one address (IPv4 /32, IPv6 /64).</summary>
    public int MaxConnectionsPerIp { get; set; } = 100;

    /// <summary>New connections a second from one address, sustained.</summary>
    public double ConnectionRatePerIp { get; set; } = 5;

    /// <summary>New connections from one address in a burst (0 is treated as 1).</summary>
    public int ConnectionBurstPerIp { get; set; } = 20;

    /// <summary>Loopback clients are not counted against the connection limits nor the REST message budget.</summary>
    public bool ExemptLoopback { get; set; } = true;

    /// <summary>Seconds a started TCP line may take to complete (slowloris); 0 turns it off.</summary>
    public double LineTimeoutSeconds { get; set; } = 30;

    /// <summary>Seconds a new line connection may stay without sending one complete line; 0 (the default) keeps it.</summary>
    public double LoginTimeoutSeconds { get; set; }

    /// <summary>
    /// Seconds a dropped session that asked for a resume token stays a member, waiting for <c>/resume</c>
    /// (<c>Gateway:Sessions:ResumeWindowSeconds</c>); 0 turns resuming off.
    /// </summary>
    public double ResumeWindowSeconds { get; set; } = 120;
}
