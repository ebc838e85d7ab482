using SocketGateway.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SocketGateway.Core.Bus;
using SocketGateway.Core.Cluster;
using SocketGateway.Core.Limits;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Rooms;
using SocketGateway.Core.Sessions;
using SocketGateway.Core.Storage;

namespace SocketGateway.Hosting;

public static class ChatCoreRegistration
{
    /// <summary>The room core and its seams: in-process bus and in-memory history by default.</summary>
    public static IServiceCollection AddChatCore(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = new GatewayLimits();
        configuration.GetSection("Gateway:Limits").Bind(limits);
        configuration.GetSection("Gateway:Rooms").Bind(limits);
        configuration.GetSection("Gateway:History").Bind(limits);
        configuration.GetSection("Gateway:Sessions").Bind(limits);
        services.AddSingleton(limits);
        // TryAdd: a test host may bring its own clock (FakeTimeProvider).
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ConnectionGuard>();
        services.AddSingleton<RoomRegistry>();
        services.AddSingleton<NickRegistry>();
        services.AddSingleton<ILocalDelivery, LocalDelivery>();
        services.AddSingleton<IMessageBus, InProcessMessageBus>();
        services.AddChatStore(configuration);
        services.AddSingleton(sp => new MessageIdAllocator(sp.GetRequiredService<IChatStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IUserDirectory, LocalUserDirectory>();
        services.AddSingleton<ChatService>();
        services.AddSingleton<LineCommands>();
        services.AddHostedService<ChatInitializer>();
        return services;
    }

    // StartingAsync runs before any hosted service starts, the server included: no connection finds the lobby missing.
    // StoppingAsync runs before any of them stops, the chat ports included: every user is told before any is closed.
    private sealed class ChatInitializer(ChatService chat) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => chat.InitializeAsync(cancellationToken);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken)
        {
            chat.AnnounceShutdown();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
