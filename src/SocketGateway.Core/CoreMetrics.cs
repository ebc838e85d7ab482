using System.Diagnostics.Metrics;

namespace SocketGateway.Core;

/// <summary>
/// The room core's counters, on the <c>SocketGateway</c> meter (exported at <c>/metrics</c> by the host). Static,
/// like the runtime's own meters, so that a session can count its own overflow without a reference to the host.
/// </summary>
public static class CoreMetrics
{
    public const string MeterName = "SocketGateway";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Room messages published (each counted once, whatever the number of recipients).</summary>
    public static readonly Counter<long> MessagesPublished =
        Meter.CreateCounter<long>("socketgateway.messages.published", unit: "{message}", description: "Room messages published");

    /// <summary>Members disconnected because they stopped reading and their queue filled up.</summary>
    public static readonly Counter<long> SlowConsumersDisconnected =
        Meter.CreateCounter<long>("socketgateway.slow_consumers.disconnected", unit: "{connection}", description: "Members cut off because their outbound queue was full");

    /// <summary>Bridges and device connections cut because the service stopped reading the room's messages.</summary>
    public static readonly Counter<long> BridgesCutOff =
        Meter.CreateCounter<long>("socketgateway.bridges.cut_off", unit: "{connection}", description: "Bridge and device connections cut because the far side stopped reading");
}
