using Microsoft.Extensions.Diagnostics.HealthChecks;
using SocketGateway.Core.Storage;
using SocketGateway.Storage.Sqlite;

namespace SocketGateway.Hosting;

public static class StorageRegistration
{
    /// <summary>
    /// SQLite by default (<c>ConnectionStrings:Gateway</c>, settings under <c>Gateway:Storage</c>);
    /// <c>Gateway:Storage:Provider=memory</c> keeps history in memory only (benchmarks, throwaway runs).
    /// </summary>
    public static IServiceCollection AddChatStore(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.Equals(configuration["Gateway:Storage:Provider"], "memory", StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<IChatStore>(_ => new InMemoryChatStore());
            return services;
        }

        var options = new SqliteStoreOptions();
        configuration.GetSection("Gateway:Storage").Bind(options);
        options.ConnectionString = configuration.GetConnectionString("Gateway") ?? SqliteStoreOptions.DefaultConnectionString;
        services.AddSingleton(options);
        services.AddSingleton<SqliteChatStore>();
        services.AddSingleton<IChatStore>(sp => sp.GetRequiredService<SqliteChatStore>());
        services.AddSingleton<IStoreHealth>(sp => sp.GetRequiredService<SqliteChatStore>());
        return services;
    }

    public static IHealthChecksBuilder AddStoreHealthCheck(this IHealthChecksBuilder builder) =>
        builder.AddCheck<StoreHealthCheck>("store");

    /// <summary>A failing store degrades the gateway (chat goes on live) rather than making it unhealthy.</summary>
    private sealed class StoreHealthCheck(IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var store = services.GetService<IStoreHealth>();
            var data = new Dictionary<string, object> { ["droppedMessages"] = store?.DroppedMessages ?? 0 };
            return Task.FromResult(store?.Problem is { } problem
                ? HealthCheckResult.Degraded(problem, data: data)
                : HealthCheckResult.Healthy("store ok", data));
        }
    }
}
