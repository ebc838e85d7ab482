using Microsoft.AspNetCore.Connections;
using SocketGateway.Irc;
using SocketGateway.Tcp;

namespace SocketGateway.Hosting;

/// <summary>
/// The listeners come from the gateway's own keys, so ASPNETCORE_URLS is not needed: HTTP (page, hub, /ws, REST) on
/// Kestrel, the chat ports on <see cref="TcpListeners"/>.
/// </summary>
public static class KestrelSetup
{
    public static WebApplicationBuilder AddGatewayListeners(this WebApplicationBuilder builder)
    {
        var endpoints = new GatewayEndpoints();
        builder.Services.AddSingleton(endpoints);
        builder.Services.AddSingleton<TcpChatHandler>();
        builder.Services.AddSingleton<IrcServer>();
        // Registered after the chat core, so it stops first: sessions end before the store's last flush.
        builder.Services.AddHostedService<TcpListeners>();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var options = context.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
            kestrel.Listen(TcpListeners.ParseAddress(options.BindAddress), options.Http.Port, listen => endpoints.Http = listen);
            if (options.Irc.Port is { } ircPort)
            {
                // IRC clients on Kestrel's connection pipeline: the same room core, no HTTP on that port.
                kestrel.Listen(TcpListeners.ParseAddress(options.BindAddress), ircPort, listen =>
                {
                    endpoints.Irc = listen;
                    listen.UseConnectionHandler<IrcConnectionHandler>();
                });
            }
        });
        return builder;
    }
}
