using BenchmarkDotNet.Attributes;
using SocketGateway.Core;
using SocketGateway.Core.Bus;
using SocketGateway.Core.Cluster;
using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Rooms;
using SocketGateway.Core.Sessions;
using SocketGateway.Core.Storage;

namespace SocketGateway.Benchmarks;

/// <summary>
/// One message published to a room of N in-memory members through the real core (ChatService.SendAsync: id, store,
/// bus, LocalDelivery, each member's bounded queue), then every queue drained and its bytes taken as a line
/// writer would. The allocations must not grow with N: nothing is allocated per recipient.
/// </summary>
public class FanoutBenchmarks
{
    private ChatService _chat = null!;
    private ChatSession[] _members = [];
    private ChatSession _sender = null!;
    private readonly string _text = new('x', 64);

    [Params(100, 1000)]
    public int Members { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rooms = new RoomRegistry();
        var nicks = new NickRegistry();
        var store = new NullStore();
        var limits = new GatewayLimits { MessageRate = 0, OutboundQueueLength = 4096 };
        var ids = new MessageIdAllocator(store);
        var directory = new LocalUserDirectory(new ThisNode(TimeProvider.System));
        _chat = new ChatService(rooms, nicks, new InProcessMessageBus(new LocalDelivery(rooms, nicks, directory), ids), store, ids, directory, limits, TimeProvider.System);
        _chat.InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        _members = [.. Enumerable.Range(0, Members).Select(_ => _chat.Connect(Via.Tcp, remote: null))];
        _sender = _members[0];
        Drain();
    }

    [Benchmark(Description = "publish 1 message to N members + drain every queue")]
    public long PublishAndDrain()
    {
        var sent = _chat.SendAsync(_sender, null, _text);
        if (!sent.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("the in-process bus numbers a message at once");
        }
        return Drain();
    }

    private long Drain()
    {
        long bytes = 0;
        foreach (var member in _members)
        {
            while (member.Outbound.TryRead(out var evt))
            {
                bytes += evt.Encode(OutputFormat.Text).Length;
            }
        }

        return bytes;
    }

    /// <summary>Keeps nothing: the benchmark measures delivery, not a store.</summary>
    private sealed class NullStore : IChatStore
    {
        public Task<StoreSnapshot> OpenAsync(CancellationToken cancellationToken) => Task.FromResult(new StoreSnapshot([], 0));

        public Task SaveRoomAsync(StoredRoom room, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeleteRoomAsync(string room, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task SaveGrantAsync(StoredGrant grant, bool granted, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task RememberNickAsync(string nick, string account, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<string?> NickOwnerAsync(string nick, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

        public Task<long> ReserveMessageIdsAsync(long after, int count, CancellationToken cancellationToken) => Task.FromResult(after + count);

        public long Append(MessageEvent message) => 1;

        public Task WaitForCommitAsync(long position, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<MessageEvent>> GetHistoryAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<MessageEvent>>([]);

        public Task<IReadOnlyList<MessageEvent>> GetHistoryAsync(string room, int limit, long? beforeId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<MessageEvent>>([]);
    }
}
