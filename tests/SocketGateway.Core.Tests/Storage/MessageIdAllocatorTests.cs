using System.Collections.Concurrent;
using SocketGateway.Core.Events;
using SocketGateway.Core.Storage;

namespace SocketGateway.Core.Tests.Storage;

public sealed class MessageIdAllocatorTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Next_never_waits_for_a_held_reservation_and_never_repeats_an_id_when_the_block_comes_late()
    {
        var store = new HeldReservations();
        using var allocator = new MessageIdAllocator(store, TimeProvider.System, blockSize: 10);
        await allocator.StartAsync(0, default).WaitAsync(Limit);
        await store.Answered.WaitAsync(Limit);
        store.Hold();

        // The fetch ahead starts at id 6 and is held: the ids after the block are handed out without waiting.
        var first = await Task.Run(() => Enumerable.Range(0, 25).Select(_ => allocator.Next()).ToList()).WaitAsync(Limit);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), first);

        // However late the block comes, and whichever ids it holds, the sequence goes on where it was.
        store.Let();
        await store.Answered.WaitAsync(Limit);
        var later = Enumerable.Range(0, 40).Select(_ => allocator.Next()).ToList();
        Assert.Equal(Enumerable.Range(26, 40).Select(i => (long)i), later);

        // Every reservation asked for ids above the ones already handed out when it was made.
        Assert.All(store.Requests.Skip(1), request => Assert.True(request.After >= 10, $"asked above {request.After}"));
    }

    /// <summary>A store whose id reservations can be held until the test lets them through; nothing else is used.</summary>
    private sealed class HeldReservations : IChatStore
    {
        private readonly Lock _gate = new();
        private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _reserved;

        public HeldReservations() => _open.SetResult();

        public ConcurrentQueue<(long After, int Count)> Requests { get; } = new();

        public SemaphoreSlim Answered { get; } = new(0);

        public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Let() => _open.TrySetResult();

        public async Task<long> ReserveMessageIdsAsync(long after, int count, CancellationToken cancellationToken)
        {
            Requests.Enqueue((after, count));
            await _open.Task.WaitAsync(cancellationToken);
            long through;
            lock (_gate)
            {
                through = _reserved = Math.Max(_reserved, after) + count;
            }

            Answered.Release();
            return through;
        }

        public Task<StoreSnapshot> OpenAsync(CancellationToken cancellationToken) => Task.FromResult(new StoreSnapshot([], 0));

        public Task SaveRoomAsync(StoredRoom room, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeleteRoomAsync(string room, CancellationToken cancellationToken) => Task.CompletedTask;

        public long Append(MessageEvent message) => 1;

        public Task WaitForCommitAsync(long position, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<MessageEvent>> GetHistoryAsync(string room, int limit, long? beforeId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<MessageEvent>>([]);
    }
}
