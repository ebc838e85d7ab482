using SocketGateway.Api;
using SocketGateway.Bridges;
using SocketGateway.Hosting;
using SocketGateway.Hubs;
using SocketGateway.Identity;
using SocketGateway.LineProtocol;
using SocketGateway.WebSockets;

namespace SocketGateway;

/// <summary>Builds the one process that serves every transport; Program and the tests both start it from here.</summary>
public static class GatewayApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(args).AddEnvironmentVariables().Build();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            WebRootPath = WebRootLocator.Locate(configuration["Gateway:WebRoot"]),
        });
        configure?.Invoke(builder);
        builder.Logging.KeepTokensOutOfLogs();

        var services = builder.Services;
        // A stop (SIGTERM) ends within this: connections still open after it are aborted; history is flushed after.
        services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(4));
        services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.Section));
        services.AddChatCore(builder.Configuration);
        services.AddAccountTokens(builder.Configuration);
        services.AddTrustedProxies(builder.Configuration);
        services.AddSingleton<LineConnection>();
        services.AddSingleton<Connections.ChatConnections>();
        services.AddChatHub(builder.Configuration.GetValue("Gateway:Limits:MaxLineBytes", 8192));
        services.AddGatewayApi();
        services.AddHealthChecks().AddStoreHealthCheck();
        services.AddCluster(builder.Configuration);
        services.AddBridges();
        services.AddGatewayMetrics();
        builder.AddGatewayListeners();

        var app = builder.Build();
        app.UseTrustedProxyHeaders();
        app.UseGatewayErrors();
        app.UseSecurityHeaders();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseWebSockets();
        app.UseBrowserConnectionPolicy();
        app.UseApiLimits();
        app.UseGatewaySwagger();
        app.UseHubSignIn();
        app.UseHubDropDetector();
        app.MapChatHub();
        app.MapLineWebSocket();
        app.MapGatewayApi();
        app.MapHealthEndpoints();
        app.MapGatewayMetrics();
        app.LogListenersOnStart();
        return app;
    }
}
