using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SocketGateway.Core.Bus;
using SocketGateway.Core.Cluster;
using SocketGateway.Core.Events;
using SocketGateway.Core.Storage;
using StackExchange.Redis;

namespace SocketGateway.Redis.Bus;

/// <summary>
/// The cluster's bus (docs/CLUSTER.md). A room event gets its place in the room's order (and a message its id) from
/// one Lua script that also publishes it to every node, so order, id and publication are one atomic step on Redis:
/// one round trip and no command per recipient. This node then hands it to its own members directly, never through
/// the subscription, and ignores its own echo. Without Redis the node numbers its messages itself (above every id it
/// has seen) and serves its own members only; the order is taken up afresh when Redis is back.
/// </summary>
public sealed partial class RedisMessageBus : IMessageBus, IDisposable
{
    /// <summary>How long a room's later events wait for a predecessor that may have been lost, before going on without it.</summary>
    public static readonly TimeSpan GapLimit = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(250);
    private static readonly RedisChannel RoomChannel = RedisChannel.Literal("sg:rooms");
    private static readonly RedisChannel UserChannel = RedisChannel.Literal("sg:users");
    private static readonly RedisKey MessageIdKey = "sg:message-id";

    private const string PublishScript = """
        local place = redis.call('INCR', KEYS[1])
        local id = 0
        if ARGV[1] == '1' then id = redis.call('INCR', KEYS[2]) end
        redis.call('PUBLISH', ARGV[2], ARGV[3] .. ' ' .. place .. ' ' .. id .. ' ' .. ARGV[4] .. ' ' .. ARGV[5])
        return {place, id}
        """;

    // A counter is only ever raised: ids this node gave out while Redis was away stay below the next ones.
    private const string RaiseScript = """
        local current = tonumber(redis.call('GET', KEYS[1]) or '0')
        local floor = tonumber(ARGV[1])
        if current < floor then redis.call('SET', KEYS[1], ARGV[1]) return floor end
        return current
        """;

    private readonly RedisConnection _redis;
    private readonly ILocalDelivery _local;
    private readonly MessageIdAllocator _ownIds;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisMessageBus> _logger;
    private readonly string _origin;
    private readonly byte[] _originBytes;
    private readonly ConcurrentDictionary<string, RoomOrder> _orders = new(StringComparer.Ordinal);
    private readonly Action<string, ChatEvent> _deliverToRoom;
    private ITimer? _watch;
    private volatile bool _online;
    private readonly BusMetrics _metrics;
    private int _epoch;
    private int _rejoining;
    private long _highestId;

    public RedisMessageBus(RedisConnection redis, ILocalDelivery local, MessageIdAllocator ownIds, ThisNode node, TimeProvider time, ILogger<RedisMessageBus> logger)
    {
        _metrics = new BusMetrics(node);
        _redis = redis;
        _local = local;
        _ownIds = ownIds;
        _time = time;
        _logger = logger;
        _origin = redis.Origin;
        _originBytes = Encoding.ASCII.GetBytes(_origin);
        _deliverToRoom = local.DeliverToRoom;
    }

    /// <summary>Whether room events go through Redis now (else this node serves its own members only).</summary>
    public bool IsOnline => _online;

    /// <summary>Raised each time room events go through Redis again (the first time too), on the thread pool.</summary>
    public event Action? Online;

    /// <summary>Subscribes (kept by the multiplexer across reconnects) and starts watching the connection.</summary>
    public void Start()
    {
        var subscriber = _redis.Multiplexer.GetSubscriber();
        // Registered before it is sent: a node started while Redis is down is subscribed once Redis comes.
        subscriber.Subscribe(RoomChannel, CommandFlags.FireAndForget).OnMessage(OnRoomFrame);
        subscriber.Subscribe(UserChannel, CommandFlags.FireAndForget).OnMessage(OnUserFrame);
        _redis.Multiplexer.ConnectionFailed += (_, _) => GoOffline();
        _watch = _time.CreateTimer(_ => Watch(), null, TimeSpan.Zero, WatchInterval);
    }

    public ValueTask<MessageEvent> PublishMessage(string room, MessageEvent draft)
    {
        if (!_online)
        {
            return ValueTask.FromResult(DeliverOwn(room, draft));
        }

        return new ValueTask<MessageEvent>(PublishOverRedisAsync(room, draft));
    }

    public Task PublishToRoom(string room, ChatEvent evt)
    {
        if (!_online || !EventWire.Carries(evt))
        {
            _local.DeliverToRoom(room, evt);
            return Task.CompletedTask;
        }

        return PublishOverRedisAsync(room, evt);
    }

    public void PublishToUser(string nick, ChatEvent evt)
    {
        _local.DeliverToUser(nick, evt);
        if (_online && EventWire.Carries(evt))
        {
            _ = _redis.Database.PublishAsync(UserChannel, BusFrame.Write(_origin, nick, EventWire.Encode(evt)), CommandFlags.FireAndForget);
            _metrics.PublishedOne("user", TimeSpan.Zero);
        }
    }

    public void Dispose() => _watch?.Dispose();

    private async Task<MessageEvent> PublishOverRedisAsync(string room, MessageEvent draft)
    {
        try
        {
            var (place, id) = await NumberAsync(room, draft, isMessage: true).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            var message = draft with { Id = id };
            RaiseHighest(id);
            Order(room).Offer(place, message, Volatile.Read(ref _epoch), _time.GetTimestamp(), _deliverToRoom);
            return message;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            // Perhaps published before the connection broke, perhaps not: this node's members get it either way.
            GoOffline();
            return DeliverOwn(room, draft);
        }
    }

    private async Task PublishOverRedisAsync(string room, ChatEvent evt)
    {
        try
        {
            var (place, _) = await NumberAsync(room, evt, isMessage: false).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            Order(room).Offer(place, evt, Volatile.Read(ref _epoch), _time.GetTimestamp(), _deliverToRoom);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            GoOffline();
            _local.DeliverToRoom(room, evt);
        }
    }

    // Issued under the room's send gate (the core holds it), so one room's events reach Redis in the order they were
    // published; ForceYielding above keeps the rest off the caller's thread, which holds the core's locks.
    private async Task<(long Place, long Id)> NumberAsync(string room, ChatEvent evt, bool isMessage)
    {
        var started = _time.GetTimestamp();
        var result = await _redis.Database.ScriptEvaluateAsync(
            PublishScript,
            [PlaceKey(room), MessageIdKey],
            [isMessage ? "1" : "0", RoomChannel.ToString(), _origin, room, EventWire.Encode(evt)]).ConfigureAwait(false);
        _metrics.PublishedOne("room", _time.GetElapsedTime(started));
        var numbers = (RedisResult[])result!;
        return ((long)numbers[0], (long)numbers[1]);
    }

    // Without Redis: numbered here and handed to this node's members at once, as on a single node.
    private MessageEvent DeliverOwn(string room, MessageEvent draft)
    {
        var message = draft with { Id = _ownIds.NextAbove(Interlocked.Read(ref _highestId)) };
        _local.DeliverToRoom(room, message);
        return message;
    }

    private void OnRoomFrame(ChannelMessage received)
    {
        byte[]? frame = received.Message;
        if (frame is null || !BusFrame.TryRead(frame, out var read))
        {
            Log.Unreadable(_logger, frame?.Length ?? 0);
            return;
        }

        if (read.Origin.SequenceEqual(_originBytes) || Decode(read) is not { } evt)
        {
            return;
        }

        _metrics.ReceivedOne("room");
        if (evt is MessageEvent message)
        {
            evt = message with { Id = read.Id };
            RaiseHighest(read.Id);
        }

        Order(Encoding.UTF8.GetString(read.Target)).Offer(read.Place, evt, Volatile.Read(ref _epoch), _time.GetTimestamp(), _deliverToRoom);
    }

    private void OnUserFrame(ChannelMessage received)
    {
        byte[]? frame = received.Message;
        if (frame is null || !BusFrame.TryRead(frame, out var read))
        {
            Log.Unreadable(_logger, frame?.Length ?? 0);
            return;
        }

        if (!read.Origin.SequenceEqual(_originBytes) && Decode(read) is { } evt)
        {
            _metrics.ReceivedOne("user");
            _local.DeliverToUser(Encoding.UTF8.GetString(read.Target), evt);
        }
    }

    private ChatEvent? Decode(BusFrame read)
    {
        try
        {
            return EventWire.Decode(read.Json);
        }
        catch (JsonException e)
        {
            Log.Undecodable(_logger, e.Message);
            return null;
        }
    }

    private RoomOrder Order(string room) => _orders.GetOrAdd(room, static name => new RoomOrder(name));

    // Every WatchInterval: notice Redis going and coming (events alone miss a node that started without it), and let
    // no room wait longer than GapLimit for an event that is not coming.
    private void Watch()
    {
        if (_online && !_redis.IsConnected)
        {
            GoOffline();
        }
        else if (!_online && _redis.IsConnected && Interlocked.Exchange(ref _rejoining, 1) == 0)
        {
            _ = RejoinAsync();
        }

        var cutoff = _time.GetTimestamp() - (long)(GapLimit.TotalSeconds * _time.TimestampFrequency);
        foreach (var order in _orders.Values)
        {
            order.SkipGapOlderThan(cutoff, _deliverToRoom);
        }
    }

    private void GoOffline()
    {
        if (_online)
        {
            _online = false;
            Interlocked.Increment(ref _epoch);
            Log.Offline(_logger);
        }
    }

    // Back on Redis: the gateway's id counter is raised above every id this node gave out on its own first.
    private async Task RejoinAsync()
    {
        try
        {
            var floor = Math.Max(_ownIds.Highest, Interlocked.Read(ref _highestId));
            await _redis.Database.ScriptEvaluateAsync(RaiseScript, [MessageIdKey], [floor]).ConfigureAwait(false);
            Interlocked.Increment(ref _epoch);
            _online = true;
            Log.Online(_logger, floor);
            Online?.Invoke();
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            // The next watch tries again.
        }
        finally
        {
            Volatile.Write(ref _rejoining, 0);
        }
    }

    private void RaiseHighest(long id)
    {
        var seen = Interlocked.Read(ref _highestId);
        while (id > seen)
        {
            var before = Interlocked.CompareExchange(ref _highestId, id, seen);
            if (before == seen)
            {
                return;
            }

            seen = before;
        }
    }

    private static RedisKey PlaceKey(string room) => $"sg:room:{room}:place";

    private static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Room events go to this node's members only until Redis is back")]
        public static partial void Offline(ILogger logger);

        [LoggerMessage(Level = LogLevel.Information, Message = "Room events go through Redis again (message ids continue above {Floor})")]
        public static partial void Online(ILogger logger, long floor);

        [LoggerMessage(Level = LogLevel.Warning, Message = "An unreadable bus frame of {Length} bytes was ignored")]
        public static partial void Unreadable(ILogger logger, int length);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A bus event that does not decode was ignored: {Reason}")]
        public static partial void Undecodable(ILogger logger, string reason);
    }
}
