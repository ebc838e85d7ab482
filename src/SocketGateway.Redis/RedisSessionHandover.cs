using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SocketGateway.Core.Cluster;
using StackExchange.Redis;

namespace SocketGateway.Redis;

/// <summary>
/// Resume on another node, over Redis pub/sub. A request goes to every node on <c>sg:resume</c>. It names a reply
/// channel of its own, to which only the node holding the session answers: first who the user is, then, asked
/// again by that node's name, what its stand-in collected. A token no node holds gets no answer, and the wait for
/// one ends after <see cref="AnswerTimeout"/>.
/// </summary>
public sealed partial class RedisSessionHandover(RedisConnection redis, ILogger<RedisSessionHandover> logger) : ISessionHandover
{
    private static readonly RedisChannel Requests = RedisChannel.Literal("sg:resume");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>How long a node waits for the holder's answer (also how long an unknown token takes to refuse).</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(2);

    // The node that answered a token's first step, asked by name for the second.
    private readonly ConcurrentDictionary<string, string> _holders = new(StringComparer.Ordinal);
    private IHeldSessions? _held;

    public void Serve(IHeldSessions held)
    {
        _held = held;
        // Fire and forget, as the bus's: a node started while Redis is down is subscribed once Redis comes.
        redis.Multiplexer.GetSubscriber().Subscribe(Requests, CommandFlags.FireAndForget).OnMessage(OnRequest);
    }

    public async Task<HeldSession?> BeginAsync(string token, CancellationToken cancellationToken)
    {
        var answer = await AskAsync(new Request(Begin, token, ReplyChannel(), null, null), cancellationToken).ConfigureAwait(false);
        if (answer?.Session is null || answer.Holder is null)
        {
            return null;
        }

        _holders[token] = answer.Holder;
        return answer.Session;
    }

    public async Task<HandedOverEvents?> CompleteAsync(string token, string claimOwner, CancellationToken cancellationToken)
    {
        if (!_holders.TryRemove(token, out var holder))
        {
            return null;
        }

        var answer = await AskAsync(new Request(Complete, token, ReplyChannel(), claimOwner, holder), cancellationToken).ConfigureAwait(false);
        return answer?.Events;
    }

    private const string Begin = "begin";
    private const string Complete = "complete";

    private static string ReplyChannel() => "sg:resume:" + System.Security.Cryptography.RandomNumberGenerator.GetHexString(16, lowercase: true);

    private async Task<Answer?> AskAsync(Request request, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            return null;
        }

        var subscriber = redis.Multiplexer.GetSubscriber();
        var answered = new TaskCompletionSource<Answer?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var replies = await subscriber.SubscribeAsync(RedisChannel.Literal(request.Reply)).ConfigureAwait(false);
        replies.OnMessage(message => answered.TrySetResult(Read<Answer>(message.Message)));
        try
        {
            await subscriber.PublishAsync(Requests, JsonSerializer.SerializeToUtf8Bytes(request, Json)).ConfigureAwait(false);
            return await answered.Task.WaitAsync(AnswerTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or RedisException)
        {
            return null;
        }
        finally
        {
            await replies.UnsubscribeAsync().ConfigureAwait(false);
        }
    }

    private void OnRequest(ChannelMessage message)
    {
        if (_held is not { } held || Read<Request>(message.Message) is not { } request)
        {
            return;
        }

        Answer? answer = request.Op switch
        {
            Begin => held.BeginHandover(request.Token) is { } session ? new Answer(redis.Origin, session, null) : null,
            // Asked by name: the other nodes hold nothing of this token and stay silent.
            Complete when request.Holder == redis.Origin && request.ClaimOwner is { } owner =>
                new Answer(redis.Origin, null, held.CompleteHandover(request.Token, owner)),
            _ => null,
        };
        if (answer is not null)
        {
            _ = redis.Multiplexer.GetSubscriber().PublishAsync(RedisChannel.Literal(request.Reply), JsonSerializer.SerializeToUtf8Bytes(answer, Json), CommandFlags.FireAndForget);
        }
    }

    private T? Read<T>(RedisValue value)
        where T : class
    {
        try
        {
            return value.HasValue ? JsonSerializer.Deserialize<T>((byte[])value!, Json) : null;
        }
        catch (JsonException e)
        {
            Log.Unreadable(logger, e.Message);
            return null;
        }
    }

    private sealed record Request(string Op, string Token, string Reply, string? ClaimOwner, string? Holder);

    private sealed record Answer(string? Holder, HeldSession? Session, HandedOverEvents? Events);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "An unreadable resume handover message: {Reason}")]
        public static partial void Unreadable(ILogger logger, string reason);
    }
}
