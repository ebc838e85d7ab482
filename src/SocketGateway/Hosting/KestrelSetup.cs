using System.Net;
using Microsoft.AspNetCore.Connections;
using SocketGateway.Tcp;

namespace SocketGateway.Hosting;

/// <summary>The listeners come from the gateway's own keys, so ASPNETCORE_URLS is not needed.</summary>
public static class KestrelSetup
{
    public static WebApplicationBuilder AddGatewayListeners(this WebApplicationBuilder builder)
    {
        var endpoints = new GatewayEndpoints();
        builder.Services.AddSingleton(endpoints);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var options = context.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
            var address = ParseAddress(options.BindAddress);
            var keepAlive = TimeSpan.FromSeconds(options.Tcp.KeepAliveSeconds);
            var headerTimeout = TimeSpan.FromSeconds(options.Tcp.ProxyHeaderTimeoutSeconds);
            kestrel.Listen(address, options.Http.Port, listen => endpoints.Http = listen);
            kestrel.Listen(address, options.Tcp.Port, listen =>
            {
                listen.UseProxyProtocol(headerTimeout).UseConnectionLimits(keepAlive).UseConnectionHandler<TcpChatHandler>();
                endpoints.Tcp = listen;
            });

            if (!string.IsNullOrEmpty(options.Tcp.Certificate.Path))
            {
                kestrel.Listen(address, options.Tcp.TlsPort, listen =>
                {
                    // The PROXY header comes before the TLS handshake.
                    listen.UseProxyProtocol(headerTimeout);
                    listen.UseHttps(options.Tcp.Certificate.Path, options.Tcp.Certificate.Password);
                    listen.UseConnectionLimits(keepAlive).UseConnectionHandler<TcpChatHandler>();
                    endpoints.TcpTls = listen;
                });
            }
        });
        return builder;
    }

    private static IPAddress ParseAddress(string value) =>
        value.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : value is "*" or "+" ? IPAddress.Any
        : IPAddress.Parse(value);
}
