using Microsoft.AspNetCore.HttpOverrides;
using SocketGateway.Core.Limits;

namespace SocketGateway.Hosting;

/// <summary>
/// <c>X-Forwarded-For</c>/<c>-Proto</c>/<c>-Host</c> on HTTP, believed only from <c>Gateway:TrustedProxies</c> (the
/// same list as the TCP listener's PROXY protocol). ASP.NET Core's own defaults (loopback trusted) are cleared: an
/// empty list trusts nobody. A chain of listed proxies is walked back to the first address not listed.
/// </summary>
public static class TrustedProxyRegistration
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = TrustedProxyList.Parse(configuration.GetSection($"{GatewayOptions.Section}:TrustedProxies").Get<string[]>());
        services.AddSingleton(proxies);
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            options.ForwardLimit = null;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var network in proxies.Networks)
            {
                options.KnownIPNetworks.Add(network);
            }
        });
        return services;
    }

    /// <summary>First in the pipeline, so every later check (limits, Origin, /api/users) sees the client.</summary>
    public static WebApplication UseTrustedProxyHeaders(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<TrustedProxyList>().IsEmpty)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
