using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.LineProtocol;

namespace SocketGateway.Tcp;

/// <summary>The raw TCP (and TLS) listener: one line-protocol session per connection.</summary>
public sealed partial class TcpChatHandler(ChatService chat, LineConnection lines, ILogger<TcpChatHandler> logger) : ConnectionHandler
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        // Without this token a shutdown would wait for every idle client to hang up. Not ConnectionClosed: it fires
        // on the client's FIN, and a client that half-closes after its last lines must still have them handled and
        // answered. The end of input (or an error) is what ends reading; an overflow ends it by aborting the socket.
        // No linked token sources: an idle connection should cost as little as possible.
        var shutdown = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        var session = chat.Connect(Via.Tcp, connection.RemoteEndPoint?.ToString());
        using var abortOnOverflow = session.Aborted.Register(() =>
        {
            Log.SlowConsumer(logger, session.Nick, connection.RemoteEndPoint?.ToString());
            connection.Abort(new ConnectionAbortedException("outbound queue full"));
        });
        var output = connection.Transport.Output;
        var writer = LineOutput.PumpAsync(session, output, CancellationToken.None);
        var reason = LeftReasons.Disconnected;
        try
        {
            if (await lines.ReadAsync(session, connection.Transport.Input, LineInputGuards.Tcp, shutdown).ConfigureAwait(false))
            {
                reason = LeftReasons.Quit;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ConnectionAbortedException)
        {
            Log.ReadFailed(logger, connection.ConnectionId, e.Message);
        }
        finally
        {
            if (shutdown.IsCancellationRequested)
            {
                session.Send(new InfoEvent("server shutting down"));
            }

            chat.Disconnect(session, reason);
            await FinishWritingAsync(writer, output).ConfigureAwait(false);
        }
    }

    // The queue is complete now: let the writer send what is left (a /quit's "bye"), but never wait on a dead peer.
    // A writer still busy can only be waiting on a flush; once it has stopped, Kestrel may complete the output.
    private static async Task FinishWritingAsync(Task writer, PipeWriter output)
    {
        if (!await EndsInTimeAsync(writer).ConfigureAwait(false))
        {
            output.CancelPendingFlush();
            await EndsInTimeAsync(writer).ConfigureAwait(false);
        }
    }

    private static async Task<bool> EndsInTimeAsync(Task writer)
    {
        try
        {
            await writer.WaitAsync(DrainTimeout).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Disconnecting {Nick} ({Remote}): it stopped reading and its queue is full")]
        public static partial void SlowConsumer(ILogger logger, string nick, string? remote);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId} ended: {Reason}")]
        public static partial void ReadFailed(ILogger logger, string connectionId, string reason);
    }
}
