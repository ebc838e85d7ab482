using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using SocketGateway.Storage.Sqlite;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Storage;

/// <summary>The store contract over real SQLite files; a failure is another connection holding the write lock.</summary>
public sealed class SqliteChatStoreContractTests : ChatStoreContractTests<SqliteChatStore>
{
    protected override int LatestSchemaVersion => SchemaMigrations.LatestVersion;

    protected override Task<string> CreateLocationAsync() => Task.FromResult(GatewayHost.NewDatabase(out _));

    protected override Task DropLocationAsync(string location)
    {
        // Every store of the test is disposed (and has cleared its own pool) by now.
        var path = new SqliteConnectionStringBuilder(location).DataSource;
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }

    protected override SqliteChatStore NewStore(string location, StoreSettings settings, TimeProvider? time = null)
    {
        var options = new SqliteStoreOptions
        {
            ConnectionString = location,
            FlushIntervalMs = settings.FlushIntervalMs,
            QueueCapacity = settings.QueueCapacity,
            RetentionMaxMessages = settings.RetentionMaxMessages,
            RetentionMaxAgeHours = settings.RetentionMaxAgeHours,
            RoomRetentionMaxMessages = settings.RoomRetentionMaxMessages ?? [],
            BusyTimeoutMs = 100,
        };
        return new SqliteChatStore(options, time ?? TimeProvider.System, NullLogger<SqliteChatStore>.Instance);
    }

    protected override Task<IAsyncDisposable> BreakAsync(string location)
    {
        var locker = new SqliteConnection(location + ";Pooling=False");
        locker.Open();
        Execute(locker, "BEGIN EXCLUSIVE");
        return Task.FromResult<IAsyncDisposable>(new Unlocking(locker));
    }

    protected override Task<int> PruneNowAsync(SqliteChatStore store) => Task.FromResult(store.PruneNow());

    protected override Task<int> SchemaVersionAsync(string location)
    {
        using var connection = new SqliteConnection(location + ";Pooling=False");
        connection.Open();
        return Task.FromResult(SchemaMigrations.CurrentVersion(connection));
    }

    protected override Task SeedPreviousSchemaAsync(string location)
    {
        using var old = new SqliteConnection(location + ";Pooling=False");
        old.Open();
        Assert.Equal(LatestSchemaVersion - 1, SchemaMigrations.Apply(old, targetVersion: LatestSchemaVersion - 1));
        Execute(old, """
            INSERT INTO rooms (name, topic, max_members, created_at) VALUES ('old', 'From an older version', NULL, 0);
            INSERT INTO messages (id, room, sender, via, kind, text, ts) VALUES (41, 'old', 'alice', 'tcp', 'message', 'hello', 1);
            """);
        return Task.CompletedTask;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed class Unlocking(SqliteConnection locker) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Execute(locker, "ROLLBACK");
            await locker.DisposeAsync();
        }
    }
}
