namespace SocketGateway.Hubs;

/// <summary>How events are written to hub connections, and how long one waits for a lost socket (<c>Gateway:Hub</c>).</summary>
public sealed class HubDeliveryOptions
{
    public const string Section = "Gateway:Hub";

    /// <summary>
    /// Milliseconds between two writes to a member that keeps receiving (its first event after a pause goes out at
    /// once); what arrives meanwhile is written together. 0 writes every event as soon as its pump runs.
    /// </summary>
    public double FlushIntervalMilliseconds { get; set; } = 30;

    /// <summary>
    /// Seconds a connection that asked for stateful reconnect waits for its client on a new socket after a drop
    /// (SignalR's own window, where nothing is lost); past it the session is held for a resume (docs/RESUME.md).
    /// </summary>
    public double StatefulReconnectSeconds { get; set; } = 15;
}
