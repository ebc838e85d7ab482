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
        Answer? answer;
        try
        {
            answer = await AskAsync(new Request(Begin, token, ReplyChannel(), null, null, null), AnswerTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Nobody holds the token (or its holder is gone): nothing has changed anywhere.
            return null;
        }

        if (answer?.Session is null || answer.Holder is null)
        {
            return null;
        }

        _holders[token] = answer.Holder;
        return answer.Session;
    }

    public async Task<HandedOverEvents?> CompleteAsync(string token, string claimOwner, IReadOnlyDictionary<string, long> joinPlaces)
    {
        if (!_holders.TryRemove(token, out var holder))
        {
            return null;
        }

        var request = new Request(Complete, token, ReplyChannel(), claimOwner, holder, joinPlaces);
        var answer = await AskAsync(request, CompleteTimeout, CancellationToken.None).ConfigureAwait(false);
        return answer?.Events;
    }

    /// <summary>How long the new node waits for the events: the holder may first wait for its rooms to catch up.</summary>
    public static readonly TimeSpan CompleteTimeout = AnswerTimeout + Core.ChatService.HandoverCatchUp + AnswerTimeout;

    private const string Begin = "begin";
    private const string Complete = "complete";

    private static string ReplyChannel() => "sg:resume:" + System.Security.Cryptography.RandomNumberGenerator.GetHexString(16, lowercase: true);

    /// <summary>
    /// The holder's answer; null when the request could not be sent (so nobody acted on it), a
    /// <see cref="TimeoutException"/> when it was sent and no answer came.
    /// </summary>
    private async Task<Answer?> AskAsync(Request request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            return null;
        }

        var subscriber = redis.Multiplexer.GetSubscriber();
        var answered = new TaskCompletionSource<Answer?>(TaskCreationOptions.RunContinuationsAsynchronously);
        ChannelMessageQueue? replies = null;
        try
        {
            replies = await subscriber.SubscribeAsync(RedisChannel.Literal(request.Reply)).ConfigureAwait(false);
            replies.OnMessage(message => answered.TrySetResult(Read<Answer>(message.Message)));
            await subscriber.PublishAsync(Requests, JsonSerializer.SerializeToUtf8Bytes(request, Json)).ConfigureAwait(false);
        }
        catch (RedisException)
        {
            Unsubscribe(replies);
            return null;
        }

        try
        {
            return await answered.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Unsubscribe(replies);
        }
    }

    // Not awaited: the reply channel is the asker's own, and a failed unsubscribe leaves only an idle subscription.
    private static void Unsubscribe(ChannelMessageQueue? replies) => replies?.Unsubscribe(CommandFlags.FireAndForget);

    private void OnRequest(ChannelMessage message)
    {
        if (_held is not { } held || Read<Request>(message.Message) is not { } request)
        {
            return;
        }

        switch (request.Op)
        {
            case Begin when held.BeginHandover(request.Token) is { } session:
                Reply(request, new Answer(redis.Origin, session, null));
                break;
            // Asked by name: the other nodes hold nothing of this token and stay silent.
            case Complete when request.Holder == redis.Origin && request.ClaimOwner is { } owner:
                _ = AnswerCompleteAsync(held, request, owner);
                break;
        }
    }

    // Runs unobserved: it answers even when it fails, so the asker is not left to time out on a bug here.
    private async Task AnswerCompleteAsync(IHeldSessions held, Request request, string owner)
    {
        HandedOverEvents? events = null;
        try
        {
            events = await held.CompleteHandoverAsync(request.Token, owner, request.JoinPlaces ?? new Dictionary<string, long>()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.HandoverFailed(logger, e);
        }

        Reply(request, new Answer(redis.Origin, null, events));
    }

    private void Reply(Request request, Answer answer) =>
        _ = redis.Multiplexer.GetSubscriber().PublishAsync(RedisChannel.Literal(request.Reply), JsonSerializer.SerializeToUtf8Bytes(answer, Json), CommandFlags.FireAndForget);

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

    private sealed record Request(string Op, string Token, string Reply, string? ClaimOwner, string? Holder, IReadOnlyDictionary<string, long>? JoinPlaces);

    private sealed record Answer(string? Holder, HeldSession? Session, HandedOverEvents? Events);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "An unreadable resume handover message: {Reason}")]
        public static partial void Unreadable(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "A held session could not be handed over")]
        public static partial void HandoverFailed(ILogger logger, Exception exception);
    }
}
