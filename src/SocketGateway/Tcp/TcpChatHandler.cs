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

    /// <summary>Serves the connection until it ends; the caller disposes the socket.</summary>
    /// <param name="certificate">The TLS port's certificate, null on the plain port.</param>
    /// <param name="shutdown">The gateway is stopping: every session is told and ends.</param>
    public async Task RunAsync(Socket socket, X509Certificate2? certificate, CancellationToken shutdown)
    {
        socket.NoDelay = true;
        TcpKeepAlive.Enable(socket, _keepAlive);
        var remote = socket.RemoteEndPoint as IPEndPoint;
        Stream transport = new NetworkStream(socket, ownsSocket: false);
        PipeReader? input = null;
        try
        {
            if (trustedProxies.Contains(remote?.Address))
            {
                input = PipeReader.Create(transport, ReaderOptions);
                var (status, header) = await TcpProxyHeader.ReadAsync(input, _proxyHeaderTimeout, time).ConfigureAwait(false);
                if (status != Core.Protocol.ProxyHeaderStatus.Header)
                {
                    await RefuseAsync(transport, ErrorCodes.BadArgument, TcpProxyHeader.Describe(status, _proxyHeaderTimeout)).ConfigureAwait(false);
                    return;
                }

                remote = header.Source ?? remote;
            }

            if (certificate is not null)
            {
                // What a proxy sent after its header is already the client's handshake.
                var tls = new SslStream(PrefixedStream.TakeBuffered(input, transport));
                input = null;
                transport = tls;
                using var timeout = new CancellationTokenSource(HandshakeTimeout, time);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, timeout.Token).ConfigureAwait(false);
            }

            var admission = guard.TryAdmit(remote?.Address, out var lease);
            if (admission != Admission.Admitted)
            {
                await RefuseAsync(transport, ErrorCodes.RateLimited, ConnectionGuard.Describe(admission)).ConfigureAwait(false);
                return;
            }

            using (lease)
            {
                input ??= PipeReader.Create(transport, ReaderOptions);
                await ChatAsync(socket, remote, input, PipeWriter.Create(transport, WriterOptions), shutdown).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or AuthenticationException or OperationCanceledException)
        {
            Log.ConnectionEnded(logger, remote?.ToString(), e.Message);
        }
        finally
        {
            Close(socket);
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ChatAsync(Socket socket, IPEndPoint? remote, PipeReader input, PipeWriter output, CancellationToken shutdown)
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
            // Not ended by the client's FIN: a client that half-closes after its last lines still has them handled
            // and answered. The end of input (or an error) ends reading, and so does the shutdown token.
            if (await lines.ReadAsync(session, input, LineInputGuards.Tcp, shutdown).ConfigureAwait(false))
            {
                reason = LeftReasons.Quit;
            }
        }
        catch (OperationCanceledException)
        {
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
            await FinishWritingAsync(writer, output).ConfigureAwait(false);
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

    /// <summary>Tells a connection that never became a chat user why, in one error line.</summary>
    private static async Task RefuseAsync(Stream transport, string code, string text)
    {
        using var timeout = new CancellationTokenSource(DrainTimeout);
        await transport.WriteAsync(Encoding.UTF8.GetBytes($"! {code}: {text}\n"), timeout.Token).ConfigureAwait(false);
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
    }
}
