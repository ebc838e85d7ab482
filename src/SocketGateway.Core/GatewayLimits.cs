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

    /// <summary>Messages of a room's history sent to a member who joins it (<c>Gateway:History:ReplayOnJoin</c>).</summary>
    public int ReplayOnJoin { get; set; } = 20;
}
