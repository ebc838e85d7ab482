using System.Collections.Concurrent;
using SocketGateway.Core.Events;
using SocketGateway.Core.Storage;

namespace SocketGateway.Core.Tests.Storage;

public sealed class MessageIdAllocatorTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_late_block_from_a_healthy_store_is_waited_for_rather_than_handing_out_unreserved_ids()
    {
        var store = new ControlledStore();
        using var allocator = await StartedAsync(store);
        store.Hold();

        // The fetch ahead starts at id 6 and is held; ids up to the block's end need no store.
        var first = await Task.Run(() => Enumerable.Range(0, 10).Select(_ => allocator.Next()).ToList()).WaitAsync(Limit);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), first);

        var eleventh = Task.Run(allocator.Next);
        // Nothing signals "still waiting": give it a moment to prove it does not run ahead of the store.
        await Task.Delay(300);
        Assert.False(eleventh.IsCompleted, "an id beyond every reservation was handed out while the store was healthy");

        store.Let();
        Assert.Equal(11, await eleventh.WaitAsync(Limit));
    }

    [Fact]
    public async Task While_the_store_fails_Next_carries_on_and_the_retried_reservation_starts_above_what_it_handed_out()
    {
        var store = new ControlledStore();
        using var allocator = await StartedAsync(store);
        store.Fail();

        // At id 6 the fetch ahead fails; from then on ids go on past the block without waiting for the store.
        var handedOut = await Task.Run(() => Enumerable.Range(0, 30).Select(_ => allocator.Next()).ToList()).WaitAsync(Limit);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), handedOut);

        store.Heal();
        var retried = await store.Answered.Reader.ReadAsync().AsTask().WaitAsync(Limit);
        Assert.True(retried.After >= 30, $"the retried reservation asked above {retried.After}, below ids already handed out");
        Assert.Equal(31, allocator.Next());
    }

    private static async Task<MessageIdAllocator> StartedAsync(ControlledStore store)
    {
        var allocator = new MessageIdAllocator(store, TimeProvider.System, blockSize: 10);
        await allocator.StartAsync(0, default).WaitAsync(Limit);
        await store.Answered.Reader.ReadAsync().AsTask().WaitAsync(Limit);
        return allocator;
    }

    /// <summary>A store whose id reservations the test can hold or make fail; nothing else of it is used.</summary>
    private sealed class ControlledStore : IChatStore
    {
        private readonly Lock _gate = new();
        private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _failing;
        private long _reserved;

        public ControlledStore() => _open.SetResult();

        public System.Threading.Channels.Channel<(long After, long Through)> Answered { get; } =
            System.Threading.Channels.Channel.CreateUnbounded<(long After, long Through)>();

        public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Let() => _open.TrySetResult();

        public void Fail() => _failing = true;

        public void Heal() => _failing = false;

        public async Task<long> ReserveMessageIdsAsync(long after, int count, CancellationToken cancellationToken)
        {
            await _open.Task.WaitAsync(cancellationToken);
            if (_failing)
            {
                throw new IOException("the store is failing");
            }

            long through;
            lock (_gate)
            {
                through = _reserved = Math.Max(_reserved, after) + count;
            }

            Answered.Writer.TryWrite((after, through));
            return through;
        }

        public Task<StoreSnapshot> OpenAsync(CancellationToken cancellationToken) => Task.FromResult(new StoreSnapshot([], 0));

        public Task SaveRoomAsync(StoredRoom room, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeleteRoomAsync(string room, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task SaveGrantAsync(StoredGrant grant, bool granted, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task RememberNickAsync(string nick, string account, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<string?> NickOwnerAsync(string nick, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

        public long Append(MessageEvent message) => 1;

        public Task WaitForCommitAsync(long position, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<MessageEvent>> GetHistoryAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<MessageEvent>>([]);

        public Task<IReadOnlyList<MessageEvent>> GetHistoryAsync(string room, int limit, long? beforeId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<MessageEvent>>([]);
    }
}
