using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.Core.Identity;
using SocketGateway.Core.Limits;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Connections;

/// <summary>
/// The one path a chat connection takes, whatever its transport (TCP, TLS, <c>/ws</c>, the hub): admission by the
/// peer's address, the session with that address, the cut-off of a member that stops reading, and one reading of
/// how the connection ended. A transport is an adapter that moves bytes; the rules live here.
/// </summary>
public sealed partial class ChatConnections
{
    private readonly ChatService _chat;
    private readonly ConnectionGuard _guard;
    private readonly IAccountTokens _tokens;
    private readonly ILogger<ChatConnections> _logger;
    // One delegate for every session (OnAbort takes state, not a closure): a connection costs no allocation for it.
    private readonly Action<ChatSession, object> _cutOff;

    public ChatConnections(ChatService chat, ConnectionGuard guard, IAccountTokens tokens, ILogger<ChatConnections> logger)
    {
        _chat = chat;
        _guard = guard;
        _tokens = tokens;
        _logger = logger;
        _cutOff = (session, transport) =>
        {
            Log.SlowConsumer(_logger, session.Via, session.Nick, session.RemoteAddress);
            ((IChatTransport)transport).CutOff();
        };
    }

    /// <summary>The per-address cap and throttle; an admitted connection holds <paramref name="lease"/> until it ends.</summary>
    public Admission TryAdmit(IPEndPoint? peer, out IDisposable? lease) => _guard.TryAdmit(peer?.Address, out lease);

    /// <summary>The one line a refused client is told (<c>rate_limited</c>), without the <c>! code:</c> framing.</summary>
    public static string DescribeRefusal(Admission admission) => ConnectionGuard.Describe(admission);

    /// <summary>
    /// The connection becomes a chat user: a guest nick (or its <paramref name="account"/>'s nick), the welcome and the
    /// lobby; on a gateway without guests, a connection without an account waits for <c>/auth</c> instead. If its
    /// queue overflows, the warning is logged and <paramref name="transport"/> is cut off. A
    /// <paramref name="resumable"/> one is welcomed with its resume token.
    /// </summary>
    public ChatSession Open(string via, IPEndPoint? peer, IChatTransport transport, Account? account = null, bool resumable = false)
    {
        var session = _chat.Connect(via, peer, account, awaitSignIn: !_tokens.AllowGuests, resumable);
        session.OnAbort(_cutOff, transport);
        return session;
    }

    /// <summary>The user leaves every room (<paramref name="reason"/> as in <c>left (reason)</c>) and its nick is free.</summary>
    /// <remarks>
    /// A dropped session that has a resume token is held for its user instead (docs/RESUME.md), unless the transport
    /// knows the user closed it on purpose (<paramref name="mayHold"/> false).
    /// </remarks>
    public void Close(ChatSession session, string reason, bool mayHold = true)
    {
        if (reason != LeftReasons.Disconnected || !mayHold || !_chat.TryHold(session))
        {
            _chat.Disconnect(session, reason);
        }
    }

    /// <summary>
    /// How a connection ended, logged one way for every transport: a peer that went away, a deadline, a failed
    /// handshake or a cancelled operation is routine (Debug); anything else is a bug (Error, with the exception).
    /// </summary>
    public void Ended(string via, string? remote, Exception error)
    {
        if (IsPeerGone(error))
        {
            Log.ConnectionEnded(_logger, via, remote, error.Message);
        }
        else
        {
            Log.ConnectionFailed(_logger, via, remote, error);
        }
    }

    public static bool IsPeerGone(Exception error) =>
        error is IOException or SocketException or ObjectDisposedException or AuthenticationException
            or OperationCanceledException or WebSocketException or ConnectionAbortedException;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Disconnecting {Nick} ({Via}, {Remote}): it stopped reading and its queue is full")]
        public static partial void SlowConsumer(ILogger logger, string via, string nick, string? remote);

        [LoggerMessage(Level = LogLevel.Debug, Message = "{Via} connection from {Remote} ended: {Reason}")]
        public static partial void ConnectionEnded(ILogger logger, string via, string? remote, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Via} connection from {Remote} failed unexpectedly")]
        public static partial void ConnectionFailed(ILogger logger, string via, string? remote, Exception exception);
    }
}
