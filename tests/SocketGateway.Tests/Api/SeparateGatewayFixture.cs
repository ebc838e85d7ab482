using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Api;

/// <summary>A gateway of its own, for tests that need settings the shared one must not have (admin key, limits).</summary>
public abstract class SeparateGatewayFixture(IDictionary<string, string?> settings) : IAsyncLifetime
{
    private GatewayHost? _host;

    public GatewayHost Host => _host ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(settings);

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
