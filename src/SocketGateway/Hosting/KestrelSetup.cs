using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using SocketGateway.Bridges;
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
        builder.Services.AddSingleton<DevicePorts>();
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

            for (var i = 0; i < options.Listeners.Count; i++)
            {
                // A device port bound to one room: no HTTP and no commands on it, frames only.
                var device = DevicePort.From(i, options.Listeners[i]);
                var ports = kestrel.ApplicationServices.GetRequiredService<DevicePorts>();
                kestrel.Listen(TcpListeners.ParseAddress(options.BindAddress), device.Port, listen =>
                {
                    endpoints.Devices.Add((device, listen));
                    listen.Run(connection => ports.RunAsync(connection, device));
                });
            }

            if (options.Irc.TlsPort is { } ircTlsPort)
            {
                // The TLS chat port's certificate, reloaded when its file changes, as that port does.
                var path = options.Tcp.Certificate.Path is { Length: > 0 } file
                    ? file
                    : throw new InvalidOperationException("Gateway:Irc:TlsPort needs a certificate: set Gateway:Tcp:Certificate:Path");
                var logger = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger<IrcConnectionHandler>();
                var certificate = new ReloadingCertificate(path, options.Tcp.Certificate.Password, logger);
                kestrel.Listen(TcpListeners.ParseAddress(options.BindAddress), ircTlsPort, listen =>
                {
                    endpoints.IrcTls = listen;
                    listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, _) => certificate.Current });
                    listen.UseConnectionHandler<IrcConnectionHandler>();
                });
            }
        });
        return builder;
    }
}
