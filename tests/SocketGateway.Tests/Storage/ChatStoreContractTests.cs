using Microsoft.Extensions.Time.Testing;
using SocketGateway.Core.Events;
using SocketGateway.Core.Storage;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Storage;

/// <summary>What every store promises the core, over its real database; one derivation per provider.</summary>
public abstract class ChatStoreContractTests<TStore> : IAsyncLifetime
    where TStore : IChatStore, IBridgeStore, IStoreHealth, IAsyncDisposable
{
    private static readonly DateTimeOffset Created = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly List<string> _locations = [];

    /// <summary>A new, empty database; the connection string a store opens it with.</summary>
    protected abstract Task<string> CreateLocationAsync();

    protected abstract Task DropLocationAsync(string location);

    protected abstract TStore NewStore(string location, StoreSettings settings, TimeProvider? time = null);

    /// <summary>Makes the database fail every write until the result is disposed.</summary>
    protected abstract Task<IAsyncDisposable> BreakAsync(string location);

    protected abstract Task<int> PruneNowAsync(TStore store);

    /// <summary>The schema version the database records, read by the provider's own means.</summary>
    protected abstract Task<int> SchemaVersionAsync(string location);

    protected abstract int LatestSchemaVersion { get; }

    /// <summary>
    /// Makes the schema one version older than the latest, as a gateway of that version left it, holding a room
    /// <c>old</c> (topic <c>From an older version</c>) with one message, id 41, text <c>hello</c>.
    /// </summary>
    protected abstract Task SeedPreviousSchemaAsync(string location);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var location in _locations)
        {
            await DropLocationAsync(location);
        }
    }

    protected async Task<string> NewLocationAsync()
    {
        var location = await CreateLocationAsync();
        _locations.Add(location);
        return location;
    }

    private TStore NewStore(string location) => NewStore(location, new StoreSettings());

    private static MessageEvent Message(long id, string room, string text, DateTimeOffset? ts = null, string kind = MessageKinds.Message) =>
        new(kind, id, room, "alice", text, ts ?? Created.AddMinutes(id), "tcp");

    private static async Task<TStore> OpenedAsync(TStore store)
    {
        await store.OpenAsync(default).WaitAsync(Timeouts.Start);
        return store;
    }

    private static Task CommittedAsync(IChatStore store, long position) =>
        store.WaitForCommitAsync(position, default).WaitAsync(Timeouts.Step);

    [Fact]
    public async Task Appended_messages_read_back_oldest_first_with_every_field_and_page_by_id()
    {
        var location = await NewLocationAsync();
        await using var store = await OpenedAsync(NewStore(location));
        await store.SaveRoomAsync(new StoredRoom("paged", null, null, Created), default);
        long last = 0;
        for (var id = 1; id <= 25; id++)
        {
            last = store.Append(Message(id, "paged", $"m{id}", kind: id == 3 ? MessageKinds.Action : MessageKinds.Message));
        }

        await CommittedAsync(store, last);
        var newest = await store.GetHistoryAsync("paged", 10, null, default);
        Assert.Equal(Enumerable.Range(16, 10).Select(i => (long)i), newest.Select(m => m.Id));
        var older = await store.GetHistoryAsync("paged", 10, 16, default);
        Assert.Equal(Enumerable.Range(6, 10).Select(i => (long)i), older.Select(m => m.Id));
        var oldest = await store.GetHistoryAsync("paged", 10, 6, default);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long)i), oldest.Select(m => m.Id));
        Assert.Equal(Message(3, "paged", "m3", kind: MessageKinds.Action), oldest[2]);
        Assert.Empty(await store.GetHistoryAsync("elsewhere", 10, null, default));

        // Forward from an id: the first ones after it, oldest first.
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), (await store.GetHistoryAfterAsync("paged", 0, 10, default)).Select(m => m.Id));
        Assert.Equal([21L, 22L, 23L, 24L, 25L], (await store.GetHistoryAfterAsync("paged", 20, 10, default)).Select(m => m.Id));
        Assert.Empty(await store.GetHistoryAfterAsync("paged", 25, 10, default));
    }

    [Fact]
    public async Task Reading_forward_merges_the_messages_still_waiting_for_the_writer()
    {
        var location = await NewLocationAsync();
        await using var store = await OpenedAsync(NewStore(location, new StoreSettings(FlushIntervalMs: 600_000)));
        await store.SaveRoomAsync(new StoredRoom("waiting", null, null, Created), default);
        await CommittedAsync(store, store.Append(Message(1, "waiting", "written")));
        for (var id = 2; id <= 6; id++)
        {
            store.Append(Message(id, "waiting", $"m{id}")); // the ten-minute interval keeps these in memory
        }

        Assert.Equal([2L, 3L, 4L], (await store.GetHistoryAfterAsync("waiting", 1, 3, default)).Select(m => m.Id));
        Assert.Equal([1L, 2L], (await store.GetHistoryAfterAsync("waiting", 0, 2, default)).Select(m => m.Id));
    }

    [Fact]
    public async Task Rooms_saved_updated_and_deleted_are_what_a_reopened_store_sees()
    {
        var location = await NewLocationAsync();
        await using (var store = await OpenedAsync(NewStore(location)))
        {
            await store.SaveRoomAsync(new StoredRoom("kept", "first topic", null, Created), default);
            await store.SaveRoomAsync(new StoredRoom("gone", null, null, Created), default);
            await store.SaveRoomAsync(new StoredRoom("kept", "second topic", 7, Created.AddDays(1)), default);
            await CommittedAsync(store, store.Append(Message(1, "gone", "lost with its room")));
            await store.DeleteRoomAsync("gone", default);
            Assert.Empty(await store.GetHistoryAsync("gone", 10, null, default));
        }

        await using var reopened = NewStore(location);
        var snapshot = await reopened.OpenAsync(default);
        // An update changes topic and limit, never when the room was created.
        Assert.Equal([new StoredRoom("kept", "second topic", 7, Created)], snapshot.Rooms);
        Assert.Empty(await reopened.GetHistoryAsync("gone", 10, null, default));
    }

    [Fact]
    public async Task Private_flags_grants_account_nicks_and_senders_accounts_are_what_a_reopened_store_sees()
    {
        var location = await NewLocationAsync();
        await using (var store = await OpenedAsync(NewStore(location)))
        {
            await store.SaveRoomAsync(new StoredRoom("staff", null, null, Created, Private: true), default);
            await store.SaveRoomAsync(new StoredRoom("gone", null, null, Created), default);
            await store.SaveGrantAsync(new StoredGrant("staff", "u-1", GrantKinds.Invite), true, default);
            await store.SaveGrantAsync(new StoredGrant("staff", "u-2", GrantKinds.Ban), true, default);
            await store.SaveGrantAsync(new StoredGrant("staff", "u-2", GrantKinds.Ban), true, default); // twice is once
            await store.SaveGrantAsync(new StoredGrant("staff", "u-3", GrantKinds.Operator), true, default);
            await store.SaveGrantAsync(new StoredGrant("staff", "u-3", GrantKinds.Operator), false, default);
            await store.SaveGrantAsync(new StoredGrant("gone", "u-1", GrantKinds.Operator), true, default);
            await store.DeleteRoomAsync("gone", default); // its grants go with it
            await store.RememberNickAsync("Alice", "u-1", default);
            await store.RememberNickAsync("alice", "u-9", default); // the account that signed in last under it
            await CommittedAsync(store, store.Append(Message(1, "staff", "from an account") with { Account = "u-1" }));
        }

        await using var reopened = NewStore(location);
        var snapshot = await reopened.OpenAsync(default);
        Assert.True(Assert.Single(snapshot.Rooms).Private);
        Assert.Equal([new StoredGrant("staff", "u-2", GrantKinds.Ban), new StoredGrant("staff", "u-1", GrantKinds.Invite)], snapshot.Grants!);
        Assert.Equal("u-9", await reopened.NickOwnerAsync("ALICE", default));
        Assert.Null(await reopened.NickOwnerAsync("bob", default));
        Assert.Equal("u-1", Assert.Single(await reopened.GetHistoryAsync("staff", 10, null, default)).Account);
    }

    [Fact]
    public async Task Bridges_are_kept_replaced_by_id_deleted_and_listed_oldest_first_by_a_reopened_store()
    {
        var location = await NewLocationAsync();
        var first = new StoredBridge("b-1", "ops", "127.0.0.1", 7000, "lf", "buildlog", Created.AddMinutes(2));
        var second = new StoredBridge("b-2", "dev", "build.internal", 65535, "lp32", "device", Created.AddMinutes(1));
        await using (var store = await OpenedAsync(NewStore(location)))
        {
            await store.SaveBridgeAsync(first, default);
            await store.SaveBridgeAsync(second with { Port = 1 }, default);
            await store.SaveBridgeAsync(second, default); // the same id again replaces it
            await store.SaveBridgeAsync(new StoredBridge("b-3", "ops", "::1", 9, "nul", "gone", Created), default);
            await store.DeleteBridgeAsync("b-3", default);
            await store.DeleteBridgeAsync("b-404", default); // nothing to delete is no error
            Assert.Equal([second, first], await store.ListBridgesAsync(default));
        }

        await using var reopened = await OpenedAsync(NewStore(location));
        Assert.Equal([second, first], await reopened.ListBridgesAsync(default));
        // A nick is one bridge's, in any case: two nodes making one at once cannot both succeed.
        var taken = await Assert.ThrowsAsync<Core.ChatException>(() => reopened.SaveBridgeAsync(first with { Id = "b-4", Nick = "BUILDLOG" }, default));
        Assert.Equal(Core.ErrorCodes.NickTaken, taken.Code);
        await reopened.SaveBridgeAsync(first with { Port = 7001 }, default); // its own nick, same id: a replacement
        Assert.Equal(2, (await reopened.ListBridgesAsync(default)).Count);
    }

    [Fact]
    public async Task A_reopened_store_keeps_history_and_each_rooms_last_message_id()
    {
        var location = await NewLocationAsync();
        await using (var store = await OpenedAsync(NewStore(location, new StoreSettings(FlushIntervalMs: 600_000))))
        {
            await store.SaveRoomAsync(new StoredRoom("a", null, null, Created), default);
            await store.SaveRoomAsync(new StoredRoom("b", null, null, Created), default);
            for (var id = 1; id <= 9; id++)
            {
                store.Append(Message(id, id % 3 == 0 ? "b" : "a", $"m{id}"));
            }

            // Nothing waited for a commit and the flush interval is ten minutes: the graceful stop writes them.
        }

        await using var reopened = NewStore(location);
        var snapshot = await reopened.OpenAsync(default);
        Assert.Equal([("a", 8L), ("b", 9L)], snapshot.Rooms.OrderBy(r => r.Name).Select(r => (r.Name, r.LastMessageId)));
        Assert.True(snapshot.MessageIdHighWaterMark >= 9);
        Assert.Equal([3L, 6L, 9L], (await reopened.GetHistoryAsync("b", 10, null, default)).Select(m => m.Id));
    }

    [Fact]
    public async Task A_commit_waiter_makes_the_writer_commit_at_once_instead_of_gathering()
    {
        var location = await NewLocationAsync();
        await using var store = await OpenedAsync(NewStore(location, new StoreSettings(FlushIntervalMs: 600_000)));
        await store.SaveRoomAsync(new StoredRoom("lobby", null, null, Created), default);
        var first = store.Append(Message(1, "lobby", "queued"));
        // What is queued is history already, before any commit.
        Assert.Equal("queued", Assert.Single(await store.GetHistoryAsync("lobby", 10, null, default)).Text);
        var second = store.Append(Message(2, "lobby", "waited for"));

        await CommittedAsync(store, second);
        await CommittedAsync(store, first);

        // Another store on the same database has nothing queued: it reads what was committed.
        await using var reader = await OpenedAsync(NewStore(location));
        Assert.Equal(["queued", "waited for"], (await reader.GetHistoryAsync("lobby", 10, null, default)).Select(m => m.Text));
    }

    [Fact]
    public async Task Reserved_ids_are_never_handed_out_again_after_a_restart()
    {
        var location = await NewLocationAsync();
        await using (var store = await OpenedAsync(NewStore(location)))
        {
            using var allocator = new MessageIdAllocator(store, TimeProvider.System, blockSize: 100);
            await allocator.StartAsync(0, default);
            Assert.Equal(1, allocator.Next());
            Assert.Equal(2, allocator.Next());
        }

        // Nothing was written as a message, yet ids 1..100 were reserved before 1 and 2 were used.
        await using var reopened = NewStore(location);
        var snapshot = await reopened.OpenAsync(default);
        Assert.Equal(100, snapshot.MessageIdHighWaterMark);
        using var next = new MessageIdAllocator(reopened, TimeProvider.System, blockSize: 100);
        await next.StartAsync(snapshot.MessageIdHighWaterMark, default);
        Assert.Equal(101, next.Next());
    }

    [Fact]
    public async Task Two_stores_sharing_one_database_reserve_id_blocks_that_never_overlap()
    {
        var location = await NewLocationAsync();
        await using var one = await OpenedAsync(NewStore(location));
        await using var two = await OpenedAsync(NewStore(location));

        // Both at once, as two gateway nodes fetching their next blocks would.
        var ends = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Task.Run(() => (i % 2 == 0 ? (IChatStore)one : two).ReserveMessageIdsAsync(0, 10, default))));

        // Every block is the 10 ids below its end: distinct ends 10 apart are disjoint blocks, and none was lost.
        Assert.Equal(Enumerable.Range(1, 40).Select(i => i * 10L), ends.Order());
    }

    [Fact]
    public async Task A_failing_database_keeps_messages_queued_reports_the_problem_and_catches_up_when_it_is_back()
    {
        var location = await NewLocationAsync();
        await using var store = await OpenedAsync(NewStore(location));
        await store.SaveRoomAsync(new StoredRoom("lobby", null, null, Created), default);
        Assert.Null(store.Problem);

        long last;
        await using (await BreakAsync(location))
        {
            last = 0;
            for (var id = 1; id <= 20; id++)
            {
                last = store.Append(Message(id, "lobby", $"while failing {id}"));
                Assert.NotEqual(0, last);
            }

            var waiter = store.WaitForCommitAsync(last, default);
            await WaitUntilAsync(() => store.Problem is not null, "the store never reported the failure");
            Assert.Contains("failing", store.Problem);
            Assert.Equal(20, (await store.GetHistoryAsync("lobby", 100, null, default)).Count);
            Assert.False(waiter.IsCompleted, "a commit was reported while the database refused every write");
        }

        await CommittedAsync(store, last);
        await WaitUntilAsync(() => store.Problem is null, "the store never reported the recovery");
        await using var reader = await OpenedAsync(NewStore(location));
        Assert.Equal(20, (await reader.GetHistoryAsync("lobby", 100, null, default)).Count);
    }

    [Fact]
    public async Task A_room_saved_while_the_database_fails_is_written_once_it_is_back()
    {
        var location = await NewLocationAsync();
        await using var store = await OpenedAsync(NewStore(location));
        await using (await BreakAsync(location))
        {
            // Returns (the room works live meanwhile) instead of failing the /join or REST call that made it.
            await store.SaveRoomAsync(new StoredRoom("late", "saved late", null, Created), default).WaitAsync(Timeouts.Step);
            Assert.NotNull(store.Problem);
        }

        // The writer retries kept room writes before any batch, so this message's commit implies the room's.
        await CommittedAsync(store, store.Append(Message(1, "late", "after the room")));
        await using var reopened = NewStore(location);
        var room = Assert.Single((await reopened.OpenAsync(default)).Rooms);
        Assert.Equal(("late", "saved late", 1L), (room.Name, room.Topic, room.LastMessageId));
    }

    [Fact]
    public async Task The_backlog_is_bounded_and_what_does_not_fit_is_counted_as_dropped()
    {
        var location = await NewLocationAsync();
        await using var store = await OpenedAsync(NewStore(location, new StoreSettings(QueueCapacity: 5)));
        await store.SaveRoomAsync(new StoredRoom("lobby", null, null, Created), default);
        await using (await BreakAsync(location))
        {
            var positions = Enumerable.Range(1, 8).Select(id => store.Append(Message(id, "lobby", $"m{id}"))).ToList();
            Assert.Equal([1L, 2L, 3L, 4L, 5L, 0L, 0L, 0L], positions);
            Assert.Equal(3, store.DroppedMessages);
        }

        await CommittedAsync(store, 5);
        Assert.Equal(5, (await store.GetHistoryAsync("lobby", 100, null, default)).Count);
    }

    [Fact]
    public async Task The_id_allocator_carries_on_while_the_database_fails_and_reserves_above_what_it_handed_out()
    {
        var location = await NewLocationAsync();
        await using var store = await OpenedAsync(NewStore(location));
        using var allocator = new MessageIdAllocator(store, TimeProvider.System, blockSize: 10);
        await allocator.StartAsync(0, default);
        await using (await BreakAsync(location))
        {
            // Three blocks' worth with none reserved after the first: Next never waits for the database.
            Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), Enumerable.Range(0, 30).Select(_ => allocator.Next()));
        }

        // The retried reservation lands above id 30, so a restart cannot hand out what was seen meanwhile.
        await WaitUntilAsync(async () =>
        {
            await using var probe = NewStore(location);
            return (await probe.OpenAsync(default)).MessageIdHighWaterMark > 30;
        }, "the reservation was never retried above the ids handed out");
        Assert.True(allocator.Next() > 30);
    }

    [Fact]
    public async Task Retention_keeps_the_newest_messages_per_room_and_drops_old_ones()
    {
        var location = await NewLocationAsync();
        var time = new FakeTimeProvider(Created);
        await using (var store = await OpenedAsync(NewStore(location, new StoreSettings(), time)))
        {
            await store.SaveRoomAsync(new StoredRoom("busy", null, null, Created), default);
            await store.SaveRoomAsync(new StoredRoom("small", null, null, Created), default);
            for (var id = 1; id <= 30; id++)
            {
                store.Append(Message(id, id % 2 == 0 ? "busy" : "small", $"text {id}", Created.AddHours(id)));
            }
        }

        time.Advance(TimeSpan.FromHours(40));
        await using var pruning = await OpenedAsync(NewStore(location, new StoreSettings(
            RetentionMaxMessages: 10, RetentionMaxAgeHours: 12, RoomRetentionMaxMessages: new() { ["small"] = 3 }), time));
        Assert.Equal(27, await PruneNowAsync(pruning));

        // busy keeps its 10 newest (ids 12..30), of which age (newer than hour 28) keeps 28 and 30.
        Assert.Equal([28L, 30L], (await pruning.GetHistoryAsync("busy", 100, null, default)).Select(m => m.Id));
        Assert.Equal([29L], (await pruning.GetHistoryAsync("small", 100, null, default)).Select(m => m.Id));
    }

    [Fact]
    public async Task A_fresh_database_gets_the_latest_schema_and_opening_it_again_changes_nothing()
    {
        var location = await NewLocationAsync();
        await using (var store = await OpenedAsync(NewStore(location)))
        {
            await store.SaveRoomAsync(new StoredRoom("kept", null, null, Created), default);
        }

        Assert.Equal(LatestSchemaVersion, await SchemaVersionAsync(location));
        await using var again = NewStore(location);
        Assert.Equal("kept", Assert.Single((await again.OpenAsync(default)).Rooms).Name);
        Assert.Equal(LatestSchemaVersion, await SchemaVersionAsync(location));
    }

    [Fact]
    public async Task A_database_at_the_previous_schema_version_is_upgraded_in_place()
    {
        var location = await NewLocationAsync();
        await SeedPreviousSchemaAsync(location);
        Assert.Equal(LatestSchemaVersion - 1, await SchemaVersionAsync(location));

        await using var store = NewStore(location);
        var snapshot = await store.OpenAsync(default);
        var room = Assert.Single(snapshot.Rooms);
        Assert.Equal(("old", "From an older version", 41L), (room.Name, room.Topic, room.LastMessageId));
        Assert.Equal(41, snapshot.MessageIdHighWaterMark);
        Assert.Equal("hello", Assert.Single(await store.GetHistoryAsync("old", 10, null, default)).Text);
        Assert.Equal(LatestSchemaVersion, await SchemaVersionAsync(location));
    }

    // Health and retries are polled: the writer retries on its own schedule and nothing signals a change.
    private static Task WaitUntilAsync(Func<bool> condition, string failure) =>
        WaitUntilAsync(() => Task.FromResult(condition()), failure);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Step);
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail(failure);
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }
}

/// <summary>The settings every store has, mapped to each provider's options by its derivation.</summary>
public sealed record StoreSettings(
    int FlushIntervalMs = 1,
    int QueueCapacity = 100_000,
    int RetentionMaxMessages = 0,
    double RetentionMaxAgeHours = 0,
    Dictionary<string, int>? RoomRetentionMaxMessages = null);
