using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SocketGateway.Storage.Postgres;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Storage;

/// <summary>
/// The store contract over a real PostgreSQL, one database per test; a failure is the database refusing connections
/// with every open one cut, as when the server goes away.
/// </summary>
public sealed class PostgresChatStoreContractTests : ChatStoreContractTests<PostgresChatStore>
{
    protected override int LatestSchemaVersion => PostgresSchemaMigrations.LatestVersion;

    protected override async Task<string> CreateLocationAsync() => await (await PostgresServer.GetAsync()).CreateDatabaseAsync();

    protected override async Task DropLocationAsync(string location) => await (await PostgresServer.GetAsync()).DropDatabaseAsync(location);

    protected override PostgresChatStore NewStore(string location, StoreSettings settings, TimeProvider? time = null)
    {
        var options = new PostgresStoreOptions
        {
            ConnectionString = location,
            FlushIntervalMs = settings.FlushIntervalMs,
            QueueCapacity = settings.QueueCapacity,
            RetentionMaxMessages = settings.RetentionMaxMessages,
            RetentionMaxAgeHours = settings.RetentionMaxAgeHours,
            RoomRetentionMaxMessages = settings.RoomRetentionMaxMessages ?? [],
        };
        return new PostgresChatStore(options, time ?? TimeProvider.System, NullLogger<PostgresChatStore>.Instance);
    }

    protected override async Task<IAsyncDisposable> BreakAsync(string location) =>
        await (await PostgresServer.GetAsync()).RefuseConnectionsAsync(location);

    protected override Task<int> PruneNowAsync(PostgresChatStore store) => store.PruneNowAsync(default);

    protected override async Task<int> SchemaVersionAsync(string location)
    {
        await using var connection = new NpgsqlConnection(location);
        await connection.OpenAsync();
        return await PostgresSchemaMigrations.CurrentVersionAsync(connection, null, default);
    }

    protected override async Task SeedPreviousSchemaAsync(string location)
    {
        await using var old = new NpgsqlConnection(location);
        await old.OpenAsync();
        Assert.Equal(LatestSchemaVersion - 1, await PostgresSchemaMigrations.ApplyAsync(old, default, targetVersion: LatestSchemaVersion - 1));
        await using var insert = new NpgsqlCommand("""
            INSERT INTO rooms (name, topic, max_members, created_at) VALUES ('old', 'From an older version', NULL, 'epoch');
            INSERT INTO messages (id, room, sender, via, kind, text, ts) VALUES (41, 'old', 'alice', 'tcp', 'message', 'hello', 'epoch'::timestamptz + interval '1 ms');
            """, old);
        await insert.ExecuteNonQueryAsync();
    }
}
