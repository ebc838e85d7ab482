using System.Net;
using Microsoft.AspNetCore.Connections;
using SocketGateway.Connections;
using SocketGateway.Core;
using SocketGateway.Core.Bridges;
using SocketGateway.Core.Events;
using SocketGateway.Core.Names;
using SocketGateway.Hosting;

namespace SocketGateway.Bridges;

/// <summary>A device port as configured (<c>Gateway:Listeners:N</c>), checked at start.</summary>
public sealed record DevicePort(int Index, int Port, string Room, Framing Framing, string Nick)
{
    // Room for "-" and a connection number after the nick.
    private const int SuffixRoom = 6;

    public static DevicePort From(int index, DeviceListenerOptions options)
    {
        var key = $"Gateway:Listeners:{index}";
        try
        {
            var port = options.Port is >= 0 and <= 65535 ? options.Port.Value : throw new ChatException(ErrorCodes.BadArgument, "Port must be 0-65535");
            var nick = NickName.Require(options.Nick);
            if (nick.Length > NickName.MaxLength - SuffixRoom)
            {
                throw new ChatException(ErrorCodes.InvalidNick, $"Nick must be at most {NickName.MaxLength - SuffixRoom} characters, to leave room for -N");
            }

            return new DevicePort(index, port, RoomName.Require(options.Room), Framings.Require(options.Framing), nick);
        }
        catch (ChatException e)
        {
            throw new InvalidOperationException($"{key}: {e.Message}", e);
        }
    }

    /// <summary>The nicks a connection tries in turn: Nick, then Nick-2, Nick-3…</summary>
    public IEnumerable<string> Nicks()
    {
        yield return Nick;
        for (var n = 2; n < 100_000; n++)
        {
            yield return $"{Nick}-{n}";
        }
    }
}

/// <summary>
/// Serves the device ports: every connection is a member of the port's room (via <c>device</c>) whose frames are its
/// messages and which is written the room's messages, through the same <see cref="FramedRoomLink"/> as a bridge.
/// There are no commands. A connection is admitted like a chat connection (the per-address cap and throttle), and its
/// frames have the chat port's limits: <c>MaxLineBytes</c>, strict UTF-8, the message budget, the bounded queue.
/// </summary>
public sealed partial class DevicePorts(ChatService chat, ChatConnections connections, IHostApplicationLifetime lifetime, ILogger<DevicePorts> logger)
{
    private readonly LinkCounters _counters = new();

    public async Task RunAsync(ConnectionContext connection, DevicePort port)
    {
        var peer = connection.RemoteEndPoint as IPEndPoint;
        if (connections.TryAdmit(peer, out var lease) != Core.Limits.Admission.Admitted)
        {
            // Closed at once and in order (a device has no protocol to be told why in); the log says it.
            Log.NotAdmitted(logger, port.Port, ClientAddress(peer));
            return;
        }

        using (lease)
        {
            var session = chat.Connect(Via.Device, peer, joinLobby: false);
            // A stopping gateway ends its device connections itself rather than waiting out Kestrel's shutdown.
            using var ending = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, lifetime.ApplicationStopping);
            try
            {
                await TakeNickAsync(session, port).ConfigureAwait(false);
                await chat.JoinAsync(session, port.Room, ending.Token).ConfigureAwait(false);
                var link = new FramedRoomLink(chat, session, port.Room, port.Framing, _counters);
                // Kestrel's pipes end on the link's token; only a device that stopped reading is cut at the socket.
                var ended = await link.RunAsync(connection.Transport.Input, connection.Transport.Output,
                    () => { if (link.WasCutOff) { connection.Abort(); } }, ending.Token).ConfigureAwait(false);
                Log.Ended(logger, port.Port, session.Nick, ClientAddress(peer), ended);
            }
            catch (ChatException e)
            {
                Log.Refused(logger, port.Port, ClientAddress(peer), e.Code, e.Message);
            }
            catch (Exception e) when (ChatConnections.IsPeerGone(e))
            {
                connections.Ended(Via.Device, ClientAddress(peer), e);
            }
            finally
            {
                chat.Disconnect(session, LeftReasons.Disconnected);
            }
        }
    }

    private async Task TakeNickAsync(Core.Sessions.ChatSession session, DevicePort port)
    {
        // Nicks taken here are skipped without asking: each SetNickAsync may ask the store and Redis, and a fleet
        // reconnecting would otherwise cost one such round per device already connected.
        foreach (var nick in port.Nicks().Where(n => !chat.Nicks.IsTaken(n)))
        {
            try
            {
                await chat.SetNickAsync(session, nick).ConfigureAwait(false);
                return;
            }
            catch (ChatException e) when (e.Code == ErrorCodes.NickTaken)
            {
            }
        }
    }

    private static string? ClientAddress(IPEndPoint? peer) => Core.Limits.ClientAddress.Format(peer);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Device port {Port}: {Nick} from {Remote} ended: {Reason}")]
        public static partial void Ended(ILogger logger, int port, string nick, string? remote, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Device port {Port}: a connection from {Remote} was not admitted (per-address cap or throttle)")]
        public static partial void NotAdmitted(ILogger logger, int port, string? remote);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Device port {Port}: a connection from {Remote} could not join: {Code}: {Reason}")]
        public static partial void Refused(ILogger logger, int port, string? remote, string code, string reason);
    }
}
