using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SocketGateway.Core.Events;
using SocketGateway.Core.Storage;
using SocketGateway.Storage.Sqlite;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Storage;

/// <summary>The SQLite store on its own, over real files.</summary>
public sealed class SqliteStoreTests
{
    private static SqliteChatStore NewStore(string connection, TimeProvider? time = null, Action<SqliteStoreOptions>? configure = null)
    {
        var options = new SqliteStoreOptions { ConnectionString = connection, FlushIntervalMs = 1 };
        configure?.Invoke(options);
        return new SqliteChatStore(options, time ?? TimeProvider.System, NullLogger<SqliteChatStore>.Instance);
    }

    private static MessageEvent Message(long id, string room, DateTimeOffset ts) =>
        new(MessageKinds.Message, id, room, "alice", $"text {id}", ts, "tcp");

    [Fact]
    public async Task Retention_keeps_the_newest_messages_per_room_and_drops_old_ones()
    {
        var connection = GatewayHost.NewDatabase(out _);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        var created = time.GetUtcNow();
        await using (var store = NewStore(connection, time))
        {
            await store.OpenAsync(default);
            await store.SaveRoomAsync(new StoredRoom("busy", null, null, created), default);
            await store.SaveRoomAsync(new StoredRoom("small", null, null, created), default);
            for (var id = 1; id <= 30; id++)
            {
                store.Append(Message(id, id % 2 == 0 ? "busy" : "small", created.AddHours(id)));
            }
        }

        time.Advance(TimeSpan.FromHours(40));
        await using var pruning = NewStore(connection, time, o =>
        {
            o.RetentionMaxMessages = 10;
            o.RoomRetentionMaxMessages["small"] = 3;
            o.RetentionMaxAgeHours = 12;
        });
        await pruning.OpenAsync(default);
        pruning.PruneNow();

        var busy = await pruning.GetHistoryAsync("busy", 100, null, default);
        var small = await pruning.GetHistoryAsync("small", 100, null, default);
        // busy keeps its 10 newest (ids 12..30), of which age (newer than hour 28) keeps 28 and 30.
        Assert.Equal([28L, 30L], busy.Select(m => m.Id));
        Assert.Equal([29L], small.Select(m => m.Id));
    }

    [Fact]
    public async Task A_database_from_the_first_schema_is_upgraded_in_place()
    {
        var connection = GatewayHost.NewDatabase(out var path);
        using (var old = new SqliteConnection(connection + ";Pooling=False"))
        {
            old.Open();
            Assert.Equal(1, SchemaMigrations.Apply(old, targetVersion: 1));
            using var insert = old.CreateCommand();
            insert.CommandText = """
                INSERT INTO rooms (name, topic, max_members, created_at) VALUES ('old', 'From v1', NULL, 0);
                INSERT INTO messages (id, room, sender, via, kind, text, ts) VALUES (41, 'old', 'alice', 'tcp', 'message', 'hello', 1);
                """;
            insert.ExecuteNonQuery();
        }

        await using var store = NewStore(connection);
        var snapshot = await store.OpenAsync(default);
        var room = Assert.Single(snapshot.Rooms);
        Assert.Equal(("old", "From v1", 41L), (room.Name, room.Topic, room.LastMessageId));
        Assert.Equal(41, snapshot.MessageIdHighWaterMark);
        Assert.Equal("hello", Assert.Single(await store.GetHistoryAsync("old", 10, null, default)).Text);

        using var check = new SqliteConnection(connection + ";Pooling=False");
        check.Open();
        Assert.Equal(SchemaMigrations.LatestVersion, SchemaMigrations.CurrentVersion(check));
    }

    [Fact]
    public async Task Reserved_ids_are_never_handed_out_again_after_a_restart()
    {
        var connection = GatewayHost.NewDatabase(out _);
        await using (var store = NewStore(connection))
        {
            using var allocator = new MessageIdAllocator(store, TimeProvider.System, blockSize: 100);
            await allocator.StartAsync((await store.OpenAsync(default)).MessageIdHighWaterMark, default);
            Assert.Equal(1, allocator.Next());
            Assert.Equal(2, allocator.Next());
        }

        // Nothing was written as a message, yet ids 1..100 were reserved before 1 and 2 were used.
        await using var reopened = NewStore(connection);
        Assert.Equal(100, (await reopened.OpenAsync(default)).MessageIdHighWaterMark);
    }
}
