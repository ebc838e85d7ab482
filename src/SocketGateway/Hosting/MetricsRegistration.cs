using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using SocketGateway.Core;
using SocketGateway.Core.Storage;

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
