using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Storage;

public sealed class StorageProviderTests
{
    [Fact]
    public async Task An_unknown_provider_stops_the_start_with_an_error_that_names_the_ones_there_are()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Storage:Provider"] = "mongo" }));
        Assert.Contains("'mongo'", error.Message);
        Assert.Contains("sqlite (the default), postgres or memory", error.Message);
    }

    [Fact]
    public async Task The_postgres_provider_without_a_connection_string_says_what_it_needs()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Storage:Provider"] = "postgres",
            ["ConnectionStrings:Gateway"] = "",
        }));
        Assert.Contains("ConnectionStrings:Gateway", error.Message);
    }
}
