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

    [Fact]
    public async Task A_database_that_stops_answering_counts_as_failing_within_the_command_timeout_and_catches_up_after()
    {
        var location = await NewLocationAsync();
        await using var store = NewStore(location, new StoreSettings());
        await store.OpenAsync(default);
        await store.SaveRoomAsync(new Core.Storage.StoredRoom("lobby", null, null, DateTimeOffset.UnixEpoch), default);

        // Another session holds the table: the server accepts the store's statements and never answers them.
        await using var locker = new NpgsqlConnection(location);
        await locker.OpenAsync();
        await using var hold = await locker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE", locker, hold))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var position = store.Append(new Core.Events.MessageEvent("message", 1, "lobby", "alice", "held", DateTimeOffset.UnixEpoch.AddSeconds(1), "tcp"));
        var committed = store.WaitForCommitAsync(position, default);
        using (var timeout = new CancellationTokenSource(Timeouts.Step))
        {
            while (store.Problem is null)
            {
                // Polled: nothing signals the writer's failure.
                await Task.Delay(50, timeout.Token);
            }
        }

        Assert.Contains("no answer within 2000 ms", store.Problem);
        Assert.False(committed.IsCompleted);
        await hold.RollbackAsync();
        await committed.WaitAsync(Timeouts.Step);
    }
}
