using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Options;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.Core.Limits;
using SocketGateway.Core.Sessions;
using SocketGateway.Hosting;
using SocketGateway.LineProtocol;

namespace SocketGateway.Tcp;

/// <summary>
/// One accepted connection of a chat port, from accept to close: TCP keep-alive, the PROXY header of a trusted
/// proxy (so that everything after sees the real client), the TLS handshake on the TLS port, admission by the
/// <see cref="ConnectionGuard"/>, then one line-protocol session. A connection refused on the way is told one line
/// (<c>! code: …</c>) and closed without ever becoming a chat user.
/// </summary>
public sealed partial class TcpChatHandler(
    ChatService chat,
    LineConnection lines,
    ConnectionGuard guard,
    TrustedProxyList trustedProxies,
    TimeProvider time,
    IOptions<GatewayOptions> options,
    ILogger<TcpChatHandler> logger)
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    // Zero-byte reads: an idle connection holds no receive buffer, only a pending read.
    private static readonly StreamPipeReaderOptions ReaderOptions = new(leaveOpen: true, useZeroByteReads: true);
    private static readonly StreamPipeWriterOptions WriterOptions = new(leaveOpen: true);

    private readonly TimeSpan _keepAlive = TimeSpan.FromSeconds(options.Value.Tcp.KeepAliveSeconds);
    private readonly TimeSpan _proxyHeaderTimeout = TimeSpan.FromSeconds(options.Value.Tcp.ProxyHeaderTimeoutSeconds);

    /// <summary>Serves an accepted socket until the connection ends, then disposes it and calls <paramref name="closed"/>.</summary>
    /// <param name="certificate">The TLS port's certificate, null on the plain port.</param>
    /// <param name="shutdown">Cancelled when the gateway stops; the listener then also shuts the socket's receive side,
    /// which ends the session's reading, and the session is told why.</param>
    public Task RunAsync(Socket socket, X509Certificate2? certificate, CancellationToken shutdown, Action<Socket> closed)
    {
        var remote = socket.RemoteEndPoint as IPEndPoint;
        try
        {
            socket.NoDelay = true;
            TcpKeepAlive.Enable(socket, _keepAlive);
            if (certificate is not null || trustedProxies.Contains(remote?.Address))
            {
                return SetUpAsync(socket, remote, certificate, shutdown, closed);
            }

            // A client straight on the plain port: nothing is awaited before its session starts, so an idle one
            // holds no async frame but the session's own.
            var input = new SocketPipeReader(socket);
            var output = new SocketPipeWriter(socket);
            var admission = guard.TryAdmit(remote?.Address, out var lease);
            return admission == Admission.Admitted
                ? ChatAsync(socket, remote, input, output, lease, shutdown, closed)
                : RefuseAsync(socket, output, ErrorCodes.RateLimited, ConnectionGuard.Describe(admission), closed);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Log.ConnectionEnded(logger, remote?.ToString(), e.Message);
            End(socket, closed);
            return Task.CompletedTask;
        }
    }

    /// <summary>A trusted proxy's PROXY header, then the TLS handshake on the TLS port, then admission and the session.</summary>
    private async Task SetUpAsync(Socket socket, IPEndPoint? remote, X509Certificate2? certificate, CancellationToken shutdown, Action<Socket> closed)
    {
        PipeReader input = new SocketPipeReader(socket);
        PipeWriter output = new SocketPipeWriter(socket);
        SslStream? tls = null;
        var handedOver = false;
        try
        {
            if (trustedProxies.Contains(remote?.Address))
            {
                var (status, header) = await TcpProxyHeader.ReadAsync(input, _proxyHeaderTimeout, time).ConfigureAwait(false);
                if (status != Core.Protocol.ProxyHeaderStatus.Header)
                {
                    await WriteRefusalAsync(output, ErrorCodes.BadArgument, TcpProxyHeader.Describe(status, _proxyHeaderTimeout)).ConfigureAwait(false);
                    return;
                }

                remote = header.Source ?? remote;
            }

            if (certificate is not null)
            {
                // What a proxy sent after its header is already the client's handshake.
                var early = PrefixedStream.TakeBuffered(input);
                socket.Blocking = true; // a NetworkStream wants a blocking socket
                var network = new NetworkStream(socket, ownsSocket: false);
                tls = new SslStream(early.Length == 0 ? network : new PrefixedStream(early, network));
                using var timeout = new CancellationTokenSource(HandshakeTimeout, time);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, timeout.Token).ConfigureAwait(false);
                input = PipeReader.Create(tls, ReaderOptions);
                output = PipeWriter.Create(tls, WriterOptions);
            }

            var admission = guard.TryAdmit(remote?.Address, out var lease);
            if (admission != Admission.Admitted)
            {
                await WriteRefusalAsync(output, ErrorCodes.RateLimited, ConnectionGuard.Describe(admission)).ConfigureAwait(false);
                return;
            }

            handedOver = true;
            await ChatAsync(socket, remote, input, output, lease, shutdown, closed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or AuthenticationException or OperationCanceledException)
        {
            Log.ConnectionEnded(logger, remote?.ToString(), e.Message);
        }
        finally
        {
            if (!handedOver)
            {
                End(socket, closed);
            }

            if (tls is not null)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task ChatAsync(Socket socket, IPEndPoint? remote, PipeReader input, PipeWriter output, IDisposable? lease, CancellationToken shutdown, Action<Socket> closed)
    {
        try
        {
            var session = chat.Connect(Via.Tcp, remote?.ToString());
            // An overflow cuts the socket, which ends both the reader and the writer: no token sources of our own.
            using var abortOnOverflow = session.Aborted.Register(static state =>
            {
                var (logger, socket, session) = ((ILogger, Socket, ChatSession))state!;
                Log.SlowConsumer(logger, session.Nick, session.RemoteAddress);
                Close(socket);
            }, ((ILogger)logger, socket, session));
            var writer = LineOutput.PumpAsync(session, output, CancellationToken.None);
            var reason = LeftReasons.Disconnected;
            try
            {
                // Not ended by the client's FIN: a client that half-closes after its last lines still has them
                // handled and answered. The end of input (or an error) ends reading; a stop ends it by shutting the
                // socket's receive side, so no read registers with a token.
                if (await lines.ReadAsync(session, input, LineInputGuards.Tcp, CancellationToken.None).ConfigureAwait(false))
                {
                    reason = LeftReasons.Quit;
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                Log.ConnectionEnded(logger, session.RemoteAddress, e.Message);
            }
            finally
            {
                if (shutdown.IsCancellationRequested)
                {
                    session.Send(new InfoEvent("server shutting down"));
                }

                chat.Disconnect(session, reason);
                await input.CompleteAsync().ConfigureAwait(false);
                await FinishWritingAsync(writer, output).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nothing of one connection may reach the accept loop, or go unobserved.
            Log.ConnectionFailed(logger, remote?.ToString(), e);
        }
        finally
        {
            lease?.Dispose();
            End(socket, closed);
        }
    }

    // The queue is complete now: let the writer send what is left (a /quit's "bye"), but never wait on a dead peer.
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
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Tells a connection that never became a chat user why, in one error line, then closes it.</summary>
    private async Task RefuseAsync(Socket socket, PipeWriter output, string code, string text, Action<Socket> closed)
    {
        try
        {
            await WriteRefusalAsync(output, code, text).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Log.ConnectionEnded(logger, socket.RemoteEndPoint?.ToString(), e.Message);
        }
        finally
        {
            End(socket, closed);
        }
    }

    private static async Task WriteRefusalAsync(PipeWriter output, string code, string text)
    {
        using var timeout = new CancellationTokenSource(DrainTimeout);
        await output.WriteAsync(Encoding.UTF8.GetBytes($"! {code}: {text}\n"), timeout.Token).ConfigureAwait(false);
    }

    private static void End(Socket socket, Action<Socket> closed)
    {
        Close(socket);
        socket.Dispose();
        closed(socket);
    }

    // FIN after what was written (a reset if the peer's last bytes were never read); the socket is disposed after.
    private static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Disconnecting {Nick} ({Remote}): it stopped reading and its queue is full")]
        public static partial void SlowConsumer(ILogger logger, string nick, string? remote);

        [LoggerMessage(Level = LogLevel.Debug, Message = "TCP connection from {Remote} ended: {Reason}")]
        public static partial void ConnectionEnded(ILogger logger, string? remote, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "TCP connection from {Remote} failed unexpectedly")]
        public static partial void ConnectionFailed(ILogger logger, string? remote, Exception exception);
    }
}
