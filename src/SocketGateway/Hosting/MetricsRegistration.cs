using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using SocketGateway.Core;
using SocketGateway.Core.Cluster;
using SocketGateway.Core.Storage;
using SocketGateway.Redis;
using SocketGateway.Redis.Bus;

namespace SocketGateway.Hosting;

/// <summary>Prometheus metrics at <c>/metrics</c>: the gateway's own meter plus Kestrel's and ASP.NET Core's.</summary>
public static class MetricsRegistration
{
    public const string Path = "/metrics";

    public static IServiceCollection AddGatewayMetrics(this IServiceCollection services)
    {
        services.AddSingleton<GatewayGauges>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(CoreMetrics.MeterName)
            .AddMeter("Microsoft.AspNetCore.Server.Kestrel")
            .AddMeter("Microsoft.AspNetCore.Http.Connections")
            .AddMeter("Microsoft.AspNetCore.Hosting")
            .AddPrometheusExporter());
        return services;
    }

    public static WebApplication MapGatewayMetrics(this WebApplication app)
    {
        // Resolving the gauges registers their callbacks on the meter.
        app.Services.GetRequiredService<GatewayGauges>();
        // The counters are there from zero, so that an alert can be written before the first event (once the exporter
        // listens: it starts with the host).
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            CoreMetrics.SlowConsumersDisconnected.Add(0);
            CoreMetrics.BridgesCutOff.Add(0);
        });
        app.MapPrometheusScrapingEndpoint(Path);
        return app;
    }

    /// <summary>Gauges read at scrape time from the core's registries, so nothing is counted on the hot path.</summary>
    private sealed class GatewayGauges
    {
        public GatewayGauges(IMeterFactory meters, ChatService chat, IServiceProvider services)
        {
            var meter = meters.Create(CoreMetrics.MeterName);
            meter.CreateObservableGauge("socketgateway.connections", () => chat.Nicks.Sessions
                .GroupBy(s => s.Via)
                .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("via", g.Key))),
                unit: "{connection}", description: "Connected users by transport");
            meter.CreateObservableGauge("socketgateway.rooms", () => chat.Rooms.Count, unit: "{room}", description: "Rooms");
            meter.CreateObservableGauge("socketgateway.sessions.held", () => chat.HeldSessions, unit: "{session}",
                description: "Dropped sessions held for a resume (docs/RESUME.md)");
            // The node's name as a label, in both modes: scrapes of several nodes tell which node said what.
            var node = services.GetRequiredService<ThisNode>();
            meter.CreateObservableGauge("socketgateway.node", () => node.IsNamed
                    ? [new Measurement<int>(1, new KeyValuePair<string, object?>("node", node.Name))]
                    : Array.Empty<Measurement<int>>(),
                description: "1, labelled with this node's name");
            if (services.GetService<RedisConnection>() is { } redis && services.GetService<RedisMessageBus>() is { } bus)
            {
                meter.CreateObservableGauge("socketgateway.redis.connected", () => redis.IsConnected ? 1 : 0,
                    description: "1 while this node's connection to Redis is up");
                meter.CreateObservableGauge("socketgateway.bus.online", () => bus.IsOnline ? 1 : 0,
                    description: "1 while room events go through Redis (0: this node serves its own members only)");
            }
            if (services.GetService<Bridges.BridgeRegistry>() is { } bridges)
            {
                meter.CreateObservableGauge("socketgateway.bridges", () => bridges.CountByState()
                        .Select(s => new Measurement<int>(s.Count, new KeyValuePair<string, object?>("state", s.State))),
                    unit: "{bridge}", description: "This node's bridges by state (connecting, up, down, reconnecting)");
            }

            meter.CreateObservableGauge("socketgateway.room_members", () => chat.Rooms.All.Sum(r => r.Count), unit: "{member}", description: "Room memberships");
            if (services.GetService<IStoreHealth>() is { } store)
            {
                meter.CreateObservableCounter("socketgateway.history.dropped", () => store.DroppedMessages, unit: "{message}",
                    description: "Messages delivered live but not kept in history (write buffer full)");
                meter.CreateObservableGauge("socketgateway.history.healthy", () => store.Problem is null ? 1 : 0,
                    description: "1 while history writes succeed");
            }
        }
    }
}
