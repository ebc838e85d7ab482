namespace SocketGateway.Bridges;

public static class BridgeRegistration
{
    /// <summary>Registered after the chat core, so bridges stop (their members leave) before the store's last flush.</summary>
    public static IServiceCollection AddBridges(this IServiceCollection services)
    {
        services.AddSingleton<BridgeRegistry>();
        services.AddHostedService(provider => provider.GetRequiredService<BridgeRegistry>());
        return services;
    }
}
