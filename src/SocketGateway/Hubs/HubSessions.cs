using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Hubs;

/// <summary>The chat session behind each hub connection, and the pump that writes its events to the browser.</summary>
public sealed partial class HubSessions(ChatService chat, HubConnections connections, ILogger<HubSessions> logger)
{
    private readonly ConcurrentDictionary<string, ChatSession> _sessions = new(StringComparer.Ordinal);

    public ChatSession Open(HubCallerContext context)
    {
        var connection = connections.Find(context.ConnectionId)
            ?? throw new InvalidOperationException("the hub connection is not registered");
        var remote = context.GetHttpContext()?.Connection is { } http && http.RemoteIpAddress is not null
            ? $"{http.RemoteIpAddress}:{http.RemotePort}"
            : null;
        var session = chat.Connect(Via.Web, remote);
        _sessions[context.ConnectionId] = session;
        session.Aborted.Register(() =>
        {
            Log.SlowConsumer(logger, session.Nick);
            connection.Abort();
        });
        _ = PumpAsync(session, connection);
        return session;
    }

    public ChatSession Get(HubCallerContext context) =>
        _sessions.TryGetValue(context.ConnectionId, out var session)
            ? session
            : throw new HubException("the connection has no chat session");

    public void Close(HubCallerContext context)
    {
        if (_sessions.TryRemove(context.ConnectionId, out var session))
        {
            chat.Disconnect(session, LeftReasons.Disconnected);
        }
    }

    private async Task PumpAsync(ChatSession session, HubConnectionContext connection)
    {
        var aborted = connection.ConnectionAborted;
        try
        {
            while (await session.Outbound.WaitToReadAsync(aborted).ConfigureAwait(false))
            {
                while (session.Outbound.TryRead(out var evt))
                {
                    if (HubEventNames.For(evt.Event) is not { } target)
                    {
                        continue;
                    }

                    var message = evt.GetAdapterPayload(e => new SerializedHubMessage(new InvocationMessage(target, [e])));
                    await connection.WriteAsync(message, aborted).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Log.PumpFailed(logger, session.Nick, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Disconnecting browser {Nick}: it stopped reading and its queue is full")]
        public static partial void SlowConsumer(ILogger logger, string nick);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Stopped writing to {Nick}: {Reason}")]
        public static partial void PumpFailed(ILogger logger, string nick, string reason);
    }
}
