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

    // A batch of N events, M of them messages: N places and M ids in one step, published as one frame.
    private const string PublishScript = """
        local count = tonumber(ARGV[1])
        local messages = tonumber(ARGV[2])
        local place = redis.call('INCRBY', KEYS[1], count) - count + 1
        local id = 0
        if messages > 0 then id = redis.call('INCRBY', KEYS[2], messages) - messages + 1 end
        redis.call('PUBLISH', ARGV[3], ARGV[4] .. ' ' .. place .. ' ' .. id .. ' ' .. ARGV[5] .. ' ' .. ARGV[6])
        return {place, id}
        """;

    /// <summary>At most this many events, and about this many bytes of them, in one script call.</summary>
    private const int MaxBatchEvents = 256;
    private const int MaxBatchBytes = 64 * 1024;

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
    private readonly ConcurrentDictionary<string, RoomOutbox> _outboxes = new(StringComparer.Ordinal);
    private readonly Action<string, ChatEvent, long> _deliverToRoom;
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
        var outbox = Outbox(room);
        if (!_online && outbox.IsIdle)
        {
            return ValueTask.FromResult(DeliverOwn(room, draft));
        }

        var done = new TaskCompletionSource<MessageEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue(outbox, new PendingEvent(draft, EventWire.Encode(draft), done, null));
        return new ValueTask<MessageEvent>(done.Task);
    }

    public Task PublishToRoom(string room, ChatEvent evt)
    {
        var outbox = Outbox(room);
        if (!EventWire.Carries(evt) || (!_online && outbox.IsIdle))
        {
            _local.DeliverToRoom(room, evt);
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue(outbox, new PendingEvent(evt, EventWire.Encode(evt), null, done));
        return done.Task;
    }

    public void PublishToUser(string nick, ChatEvent evt)
    {
        _local.DeliverToUser(nick, evt);
        if (_online && EventWire.Carries(evt))
        {
            _ = _redis.Database.PublishAsync(UserChannel, BusFrame.Write(_origin, nick, EventWire.Encode(evt)), CommandFlags.FireAndForget);
            _metrics.Published("user", 1, TimeSpan.Zero);
        }
    }

    public void Dispose() => _watch?.Dispose();

    // Called under the room's send gate (the core holds it), so the outbox has the room's events in publication order.
    private void Queue(RoomOutbox outbox, PendingEvent pending)
    {
        if (outbox.Add(pending))
        {
            _ = SendAsync(outbox);
        }
    }

    // One call per room at a time; what gathered meanwhile goes in the next. The first call is issued on the caller's
    // thread; ForceYielding keeps the rest off it, since it holds the core's locks.
    private async Task SendAsync(RoomOutbox outbox)
    {
        while (outbox.Take(MaxBatchEvents, MaxBatchBytes) is { } batch)
        {
            if (!_online)
            {
                DeliverHere(outbox.Room, batch);
                continue;
            }

            try
            {
                var (place, id) = await NumberAsync(outbox.Room, batch).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
                HandOn(outbox.Room, batch, place, id);
            }
            catch (Exception e)
            {
                if (IsRedisFailure(e))
                {
                    // Perhaps published before the connection broke, perhaps not: this node's members get it either way.
                    GoOffline();
                }
                else
                {
                    Log.SendFailed(_logger, e);
                }

                DeliverHere(outbox.Room, batch);
            }
        }
    }

    private async Task<(long Place, long Id)> NumberAsync(string room, List<PendingEvent> batch)
    {
        var started = _time.GetTimestamp();
        var messages = 0;
        var length = batch.Count - 1;
        foreach (var pending in batch)
        {
            messages += pending.IsMessage ? 1 : 0;
            length += pending.Json.Length;
        }

        // The events' JSON, one per line (the encoder escapes every newline inside a string).
        var payload = new byte[length];
        var at = 0;
        foreach (var pending in batch)
        {
            if (at > 0)
            {
                payload[at++] = (byte)'\n';
            }

            pending.Json.CopyTo(payload, at);
            at += pending.Json.Length;
        }

        var result = await _redis.Database.ScriptEvaluateAsync(
            PublishScript,
            [PlaceKey(room), MessageIdKey],
            [batch.Count, messages, RoomChannel.ToString(), _origin, room, payload]).ConfigureAwait(false);
        _metrics.Published("room", batch.Count, _time.GetElapsedTime(started));
        var numbers = (RedisResult[])result!;
        return ((long)numbers[0], (long)numbers[1]);
    }

    // The batch's events take places from place on, its messages ids from id on, in the batch's order.
    private void HandOn(string room, List<PendingEvent> batch, long place, long id)
    {
        var order = Order(room);
        var epoch = Volatile.Read(ref _epoch);
        var now = _time.GetTimestamp();
        for (var i = 0; i < batch.Count; i++)
        {
            var evt = batch[i].Event;
            if (evt is MessageEvent draft)
            {
                evt = draft with { Id = id };
                RaiseHighest(id++);
            }

            order.Offer(place + i, evt, epoch, now, _deliverToRoom);
            // Continuations run asynchronously: completing here does not run a publisher's code inside this loop.
            batch[i].Complete(evt);
        }
    }

    private void DeliverHere(string room, List<PendingEvent> batch)
    {
        foreach (var pending in batch)
        {
            if (pending.Event is MessageEvent draft)
            {
                pending.Complete(DeliverOwn(room, draft));
            }
            else
            {
                _local.DeliverToRoom(room, pending.Event);
                pending.Complete(pending.Event);
            }
        }
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

        if (read.Origin.SequenceEqual(_originBytes))
        {
            return;
        }

        var order = Order(Encoding.UTF8.GetString(read.Target));
        var epoch = Volatile.Read(ref _epoch);
        var now = _time.GetTimestamp();
        var place = read.Place;
        var id = read.Id;
        var events = 0;
        foreach (var line in read.Json.Split((byte)'\n'))
        {
            // One that does not decode still fills its place, so the room's order goes on past it at once.
            var evt = Decode(read.Json[line]);
            if (evt is MessageEvent message)
            {
                evt = message with { Id = id };
                RaiseHighest(id++);
            }

            order.Offer(place++, evt, epoch, now, _deliverToRoom);
            events += evt is null ? 0 : 1;
        }

        _metrics.Received("room", events);
    }

    private void OnUserFrame(ChannelMessage received)
    {
        byte[]? frame = received.Message;
        if (frame is null || !BusFrame.TryRead(frame, out var read))
        {
            Log.Unreadable(_logger, frame?.Length ?? 0);
            return;
        }

        if (!read.Origin.SequenceEqual(_originBytes) && Decode(read.Json) is { } evt)
        {
            _metrics.Received("user", 1);
            _local.DeliverToUser(Encoding.UTF8.GetString(read.Target), evt);
        }
    }

    private ChatEvent? Decode(ReadOnlySpan<byte> json)
    {
        try
        {
            return EventWire.Decode(json);
        }
        catch (JsonException e)
        {
            Log.Undecodable(_logger, e.Message);
            return null;
        }
    }

    private RoomOrder Order(string room) => _orders.GetOrAdd(room, static name => new RoomOrder(name));

    private RoomOutbox Outbox(string room) => _outboxes.GetOrAdd(room, static name => new RoomOutbox(name));

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

        [LoggerMessage(Level = LogLevel.Error, Message = "Room events could not be published through Redis and went to this node's members only")]
        public static partial void SendFailed(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "An unreadable bus frame of {Length} bytes was ignored")]
        public static partial void Unreadable(ILogger logger, int length);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A bus event that does not decode was ignored: {Reason}")]
        public static partial void Undecodable(ILogger logger, string reason);
    }
}
