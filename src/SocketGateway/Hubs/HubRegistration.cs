using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Hubs;

public static class HubRegistration
{
    public const string Path = "/hubs/chat";

    public static IServiceCollection AddChatHub(this IServiceCollection services, int maxLineBytes)
    {
        services.AddSignalR(options =>
            {
                options.AddFilter<ChatErrorFilter>();
                // A hub call carries at most one message; leave room for the envelope and JSON escaping.
                options.MaximumReceiveMessageSize = maxLineBytes > 0 ? Math.Max(32 * 1024, maxLineBytes * 6) : null;
            })
            .AddJsonProtocol(options => JsonEventWriter.Configure(options.PayloadSerializerOptions));
        services.AddSingleton<HubConnections>();
        services.AddSingleton<HubLifetimeManager<ChatHub>>(sp => sp.GetRequiredService<HubConnections>());
        services.AddOptions<HubDeliveryOptions>().BindConfiguration(HubDeliveryOptions.Section);
        // The real clock even when a test brings its own: a frozen clock must not stop event delivery.
        services.AddSingleton(sp => new FlushPacer(
            TimeSpan.FromMilliseconds(Math.Max(0, sp.GetRequiredService<IOptions<HubDeliveryOptions>>().Value.FlushIntervalMilliseconds)),
            TimeProvider.System));
        services.AddOptions<ConnectionOptions>().Configure<IOptions<HubDeliveryOptions>>((connection, hub) =>
            connection.DisconnectTimeout = TimeSpan.FromSeconds(Math.Max(1, hub.Value.StatefulReconnectSeconds)));
        services.AddSingleton<HubSessions>();
        services.AddSingleton<HubDropDetector>();
        return services;
    }

    public static IEndpointRouteBuilder MapChatHub(this IEndpointRouteBuilder endpoints)
    {
        // WebSockets only: a long-polling or Server-Sent Events connection is many HTTP requests, so the per-address
        // connection cap and throttle (admitted per socket, BrowserConnectionPolicy) would not hold for it.
        // Stateful reconnect: a client that asks for it gets a short drop bridged by SignalR itself, its messages
        // buffered and resent; a longer one ends the connection and is resumed with Resume(token) (docs/RESUME.md).
        endpoints.MapHub<ChatHub>(Path, options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.AllowStatefulReconnects = true;
        });
        return endpoints;
    }

    /// <summary>Watches the hub's WebSockets, so that a drop is told from a close (<see cref="HubDropDetector"/>).</summary>
    public static IApplicationBuilder UseHubDropDetector(this IApplicationBuilder app)
    {
        var detector = app.ApplicationServices.GetRequiredService<HubDropDetector>();
        return app.UseWhen(context => context.Request.Path.StartsWithSegments(Path), branch => branch.Use(detector.WatchAsync));
    }
}
