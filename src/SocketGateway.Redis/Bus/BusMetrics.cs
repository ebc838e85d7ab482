using System.Diagnostics.Metrics;
using SocketGateway.Core;
using SocketGateway.Core.Cluster;

namespace SocketGateway.Redis.Bus;

/// <summary>
/// The cluster bus on the gateway's meter (<c>/metrics</c>): what this node published and received through Redis, how
/// long Redis took to number an event, and each tagged with the node, so that one scrape target per node adds up.
/// </summary>
internal sealed class BusMetrics(ThisNode node)
{
    private static readonly Meter Meter = new(CoreMetrics.MeterName);

    private static readonly Counter<long> PublishedEvents =
        Meter.CreateCounter<long>("socketgateway.bus.published", unit: "{event}", description: "Events this node published to the other nodes through Redis");

    private static readonly Counter<long> ReceivedEvents =
        Meter.CreateCounter<long>("socketgateway.bus.received", unit: "{event}", description: "Events from other nodes this node received through Redis");

    private static readonly Histogram<double> NumberingTime =
        Meter.CreateHistogram<double>("socketgateway.bus.publish.duration", unit: "s", description: "Round trip of the script that numbers and publishes a batch of room events");

    // Read at each count: a node started on port 0 is named only once its listeners are bound.
    private KeyValuePair<string, object?> Node => new("node", node.IsNamed ? node.Name : "");

    /// <summary>Counts <paramref name="count"/> events published in one round trip that took <paramref name="took"/> (zero when not awaited).</summary>
    public void Published(string target, int count, TimeSpan took)
    {
        PublishedEvents.Add(count, Node, new("target", target));
        if (took > TimeSpan.Zero)
        {
            NumberingTime.Record(took.TotalSeconds, Node);
        }
    }

    public void Received(string target, int count) => ReceivedEvents.Add(count, Node, new("target", target));
}
