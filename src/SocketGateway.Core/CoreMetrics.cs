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
}
