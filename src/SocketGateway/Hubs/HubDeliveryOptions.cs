namespace SocketGateway.Hubs;

/// <summary>How events are written to hub connections (<c>Gateway:Hub</c>).</summary>
public sealed class HubDeliveryOptions
{
    public const string Section = "Gateway:Hub";

    /// <summary>
    /// Milliseconds between two writes to a member that keeps receiving (its first event after a pause goes out at
    /// once); what arrives meanwhile is written together. 0 writes every event as soon as its pump runs.
    /// </summary>
    public double FlushIntervalMilliseconds { get; set; } = 30;
}
