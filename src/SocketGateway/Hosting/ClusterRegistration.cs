using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SocketGateway.Core.Cluster;
using SocketGateway.Core.Storage;
using SocketGateway.Core.Bus;
using SocketGateway.Redis;
using SocketGateway.Redis.Bus;

namespace SocketGateway.Hosting;

/// <summary>
/// The node's place in the gateway: alone on the embedded defaults, one of many when <c>ConnectionStrings:Redis</c>
/// is set (contract, "Many nodes"). Also the two health endpoints: <c>/healthz</c> (is it working, perhaps degraded)
/// and <c>/readyz</c> (should a load balancer send it users: the store and, in cluster mode, Redis answer).
/// </summary>
public static class ClusterRegistration
{
    private const string Ready = "ready";

    public static bool IsClusterMode(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis"));

    public static IServiceCollection AddCluster(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ThisNode>();
        services.Configure<ClusterOptions>(configuration.GetSection(ClusterOptions.Section));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ClusterOptions>>().Value);
        services.AddHostedService<NodeNaming>();
        var health = services.AddHealthChecks()
            .AddCheck<StoreReadiness>("store-ready", tags: [Ready]);
        if (!IsClusterMode(configuration))
        {
            services.AddSingleton<INodeDirectory, SingleNodeDirectory>();
            services.AddSingleton<IBridgeLeases, SingleNodeBridgeLeases>();
            return services;
        }

        services.AddSingleton(sp => new RedisConnection(configuration.GetConnectionString("Redis")!, sp.GetRequiredService<ILogger<RedisConnection>>()));
        services.AddSingleton<RedisNodeDirectory>();
        services.AddSingleton<RedisMessageBus>();
        services.AddSingleton<RedisNodeReaper>();
        services.AddSingleton<RedisUserDirectory>();
        services.AddSingleton<RedisSessionHandover>();
        services.AddSingleton<ISessionHandover>(sp => sp.GetRequiredService<RedisSessionHandover>());
        services.Replace(ServiceDescriptor.Singleton<IUserDirectory>(sp => sp.GetRequiredService<RedisUserDirectory>()));
        services.Replace(ServiceDescriptor.Singleton<IMessageBus>(sp => sp.GetRequiredService<RedisMessageBus>()));
        services.AddSingleton<INodeDirectory>(sp => sp.GetRequiredService<RedisNodeDirectory>());
        services.AddSingleton<IBridgeLeases, RedisBridgeLeases>();
        services.AddHostedService<NodeHeartbeat>();
        health.AddCheck<RedisHealth>("redis").AddCheck<RedisReadiness>("redis-ready", tags: [Ready]);
        return services;
    }

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => !check.Tags.Contains(Ready) });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = WriteReadinessAsync,
        });
        return app;
    }

    // "503 with what is missing": each check that failed, with its reason.
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var missing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => new { name = e.Key, reason = e.Value.Description });
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString(), missing }));
    }

    /// <summary>Names the node once its listeners are bound (with port 0 the HTTP port is known only then).</summary>
    private sealed class NodeNaming(ThisNode node, ClusterOptions options, GatewayEndpoints endpoints, IHostApplicationLifetime lifetime) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStarted.Register(() =>
                node.Named(string.IsNullOrWhiteSpace(options.NodeName) ? $"{Environment.MachineName}:{endpoints.HttpPort}" : options.NodeName));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class StoreReadiness(IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(services.GetService<IStoreHealth>()?.Problem is { } problem
                ? HealthCheckResult.Unhealthy($"the store does not answer: {problem}")
                : HealthCheckResult.Healthy());
    }

    /// <summary>Without Redis a node still serves its own users: degraded, not down.</summary>
    private sealed class RedisHealth(RedisConnection redis) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(redis.IsConnected
                ? HealthCheckResult.Healthy("redis connected")
                : HealthCheckResult.Degraded("redis unreachable: serving this node's users only"));
    }

    /// <summary>Redis answers: connected, and this node's last lease renewal is younger than its timeout.</summary>
    private sealed class RedisReadiness(RedisConnection redis, RedisNodeDirectory directory, ClusterOptions options, TimeProvider time) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!redis.IsConnected)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("redis unreachable"));
            }

            return Task.FromResult(directory.LastRenewed is { } renewed && time.GetUtcNow() - renewed < options.NodeTimeout
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("redis does not take this node's lease renewals"));
        }
    }
}
