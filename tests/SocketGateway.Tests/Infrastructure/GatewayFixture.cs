namespace SocketGateway.Tests.Infrastructure;

/// <summary>One gateway shared by the tests of the "gateway" collection; tests use their own nicks and rooms.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private GatewayHost? _host;

    public GatewayHost Host => _host ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private static int _counter;

    /// <summary>A nick or room name no other test uses.</summary>
    public static string Unique(string prefix) => $"{prefix}{Interlocked.Increment(ref _counter)}x{Random.Shared.Next(1000, 9999)}";
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
