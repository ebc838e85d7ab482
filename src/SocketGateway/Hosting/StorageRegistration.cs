using Microsoft.Extensions.Diagnostics.HealthChecks;
using SocketGateway.Core.Storage;
using SocketGateway.Storage.Postgres;
using SocketGateway.Storage.Sqlite;

namespace SocketGateway.Hosting;

public static class StorageRegistration
{
    /// <summary>
    /// <c>Gateway:Storage:Provider</c>: <c>sqlite</c> (the default; <c>ConnectionStrings:Gateway</c> names the file),
    /// <c>postgres</c> (<c>ConnectionStrings:Gateway</c> is an Npgsql connection string) or <c>memory</c> (history in
    /// memory only: benchmarks, throwaway runs). Settings for either database are under <c>Gateway:Storage</c>.
    /// </summary>
    public static IServiceCollection AddChatStore(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = configuration["Gateway:Storage:Provider"];
        switch (provider?.Trim().ToLowerInvariant())
        {
            case null or "" or "sqlite":
                return services.AddStore<SqliteChatStore, SqliteStoreOptions>(configuration,
                    configuration.GetConnectionString("Gateway") ?? SqliteStoreOptions.DefaultConnectionString,
                    static (options, connection) => options.ConnectionString = connection);
            case "postgres":
                return services.AddStore<PostgresChatStore, PostgresStoreOptions>(configuration,
                    configuration.GetConnectionString("Gateway") ?? "",
                    static (options, connection) => options.ConnectionString = connection);
            case "memory":
                services.AddSingleton<InMemoryChatStore>(_ => new InMemoryChatStore());
                services.AddSingleton<IBridgeStore>(sp => sp.GetRequiredService<InMemoryChatStore>());
                return services.AddSingleton<IChatStore>(sp => sp.GetRequiredService<InMemoryChatStore>());
            default:
                throw new InvalidOperationException(
                    $"Gateway:Storage:Provider is '{provider}', which is not a store this gateway knows: use sqlite (the default), postgres or memory");
        }
    }

    private static IServiceCollection AddStore<TStore, TOptions>(this IServiceCollection services, IConfiguration configuration,
        string connectionString, Action<TOptions, string> setConnection)
        where TStore : class, IChatStore, IBridgeStore, IStoreHealth
        where TOptions : class, new()
    {
        var options = new TOptions();
        configuration.GetSection("Gateway:Storage").Bind(options);
        setConnection(options, connectionString);
        services.AddSingleton(options);
        services.AddSingleton<TStore>();
        services.AddSingleton<IChatStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IStoreHealth>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IBridgeStore>(sp => sp.GetRequiredService<TStore>());
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
