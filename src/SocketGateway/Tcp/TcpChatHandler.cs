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
using SocketGateway.Connections;
using SocketGateway.Hosting;
using SocketGateway.LineProtocol;

namespace SocketGateway.Tcp;

/// <summary>
/// One accepted connection of a chat port, from accept to close: TCP keep-alive, the PROXY header of a trusted
/// proxy (so that everything after sees the real client), the TLS handshake on the TLS port, admission by the
/// <see cref="ConnectionGuard"/>, the <see cref="ConnectionProbe"/> of its first bytes, then one line-protocol
/// session. A connection refused on the way is told one line (<c>! code: …</c>) and closed without ever becoming a
/// chat user: nobody in the lobby sees it come or go.
/// </summary>
public sealed class TcpChatHandler(
    ChatConnections connections,
    LineConnection lines,
    TrustedProxyList trustedProxies,
    TimeProvider time,
    IOptions<GatewayOptions> options)
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    // Zero-byte reads: an idle connection holds no receive buffer, only a pending read.
    private static readonly StreamPipeReaderOptions ReaderOptions = new(leaveOpen: true, useZeroByteReads: true);
    private static readonly StreamPipeWriterOptions WriterOptions = new(leaveOpen: true);

    private readonly TimeSpan _keepAlive = TimeSpan.FromSeconds(options.Value.Tcp.KeepAliveSeconds);
    private readonly TimeSpan _proxyHeaderTimeout = TimeSpan.FromSeconds(options.Value.Tcp.ProxyHeaderTimeoutSeconds);
    private readonly TimeSpan _probeWindow = TimeSpan.FromMilliseconds(options.Value.Tcp.ProbeWindowMilliseconds);

    private ChatConnections Connections => connections;

    private TimeProvider Time => time;

    /// <summary>Serves an accepted socket until the connection ends, then disposes it and calls <paramref name="closed"/>.</summary>
    /// <param name="certificate">The TLS port's certificate, null on the plain port.</param>
    /// <param name="shutdown">Cancelled when the gateway stops; the listener then also shuts the socket's receive side,
    /// which ends the session's reading, and the session is told why.</param>
    public Task RunAsync(Socket socket, ReloadingCertificate? certificate, CancellationToken shutdown, Action<Socket> closed)
    {
        IPEndPoint? remote = null;
        try
        {
            remote = socket.RemoteEndPoint as IPEndPoint;
            socket.NoDelay = true;
            TcpKeepAlive.Enable(socket, _keepAlive);
            if (certificate is not null || trustedProxies.Contains(remote?.Address))
            {
                return SetUpAsync(socket, remote, certificate, shutdown, closed);
            }

            // A client straight on the plain port: once its session starts nothing is awaited, so an idle one holds
            // no async frame but the session's own.
            var input = new SocketPipeReader(socket);
            var output = new SocketPipeWriter(socket);
            var admission = connections.TryAdmit(remote, out var lease);
            if (admission != Admission.Admitted)
            {
                return RefuseAsync(socket, output, ErrorCodes.RateLimited, ChatConnections.DescribeRefusal(admission), closed);
            }

            if (_probeWindow <= TimeSpan.Zero)
            {
                StartChat(socket, remote, input, output, transport: null, lease, shutdown, closed);
                return Task.CompletedTask;
            }

            return ProbeThenChatAsync(socket, remote, input, output, lease, shutdown, closed);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nothing of one connection may reach the accept loop, or go unobserved.
            LogEnd(remote, e);
            End(socket, closed);
            return Task.CompletedTask;
        }
    }

    private async Task ProbeThenChatAsync(Socket socket, IPEndPoint? remote, PipeReader input, PipeWriter output, IDisposable? lease, CancellationToken shutdown, Action<Socket> closed)
    {
        var handedOver = false;
        try
        {
            if (await LetInAsync(input, output).ConfigureAwait(false))
            {
                StartChat(socket, remote, input, output, transport: null, lease, shutdown, closed);
                handedOver = true;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogEnd(remote, e);
        }
        finally
        {
            if (!handedOver)
            {
                lease?.Dispose();
                End(socket, closed);
            }
        }
    }

    /// <summary>Whether the first bytes are a chat client's; if not, the client is told why (a closed one nothing).</summary>
    private async Task<bool> LetInAsync(PipeReader input, PipeWriter output)
    {
        var probe = await ConnectionProbe.ReadAsync(input, _probeWindow, lines.Limits.MaxLineBytes, time).ConfigureAwait(false);
        if (ConnectionProbe.Refusal(probe) is { } refusal)
        {
            await WriteRefusalAsync(output, ErrorCodes.BadArgument, refusal).ConfigureAwait(false);
        }

        return probe == ProbeResult.Chat;
    }

    /// <summary>A trusted proxy's PROXY header, then the TLS handshake on the TLS port, then admission and the session.</summary>
    private async Task SetUpAsync(Socket socket, IPEndPoint? remote, ReloadingCertificate? certificate, CancellationToken shutdown, Action<Socket> closed)
    {
        // Off the caller's thread (the accept loop) before any of it: a header or a ClientHello already there would
        // otherwise be read, and the handshake computed and answered, right on the loop.
        await Task.Yield();
        PipeReader input = new SocketPipeReader(socket);
        PipeWriter output = new SocketPipeWriter(socket);
        SslStream? tls = null;
        IDisposable? lease = null;
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

            // Before the handshake, in plain text: a PROXY header (or HTTP) where a ClientHello belongs is told why.
            if (certificate is not null && _probeWindow > TimeSpan.Zero && !await LetInAsync(input, output).ConfigureAwait(false))
            {
                return;
            }

            if (certificate is not null)
            {
                // What a proxy sent after its header is already the client's handshake.
                var early = PrefixedStream.TakeBuffered(input);
                socket.Blocking = true; // a NetworkStream wants a blocking socket
                var network = new NetworkStream(socket, ownsSocket: false);
                tls = new SslStream(early.Length == 0 ? network : new PrefixedStream(early, network));
                using var timeout = new CancellationTokenSource(HandshakeTimeout, time);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate.Current }, timeout.Token).ConfigureAwait(false);
                input = PipeReader.Create(tls, ReaderOptions);
                output = PipeWriter.Create(tls, WriterOptions);
            }

            var admission = connections.TryAdmit(remote, out lease);
            if (admission != Admission.Admitted)
            {
                await WriteRefusalAsync(output, ErrorCodes.RateLimited, ChatConnections.DescribeRefusal(admission)).ConfigureAwait(false);
                return;
            }

            if (_probeWindow > TimeSpan.Zero && !await LetInAsync(input, output).ConfigureAwait(false))
            {
                return;
            }

            StartChat(socket, remote, input, output, tls, lease, shutdown, closed);
            handedOver = true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogEnd(remote, e);
        }
        finally
        {
            if (!handedOver)
            {
                lease?.Dispose();
                End(socket, closed);
                if (tls is not null)
                {
                    await tls.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    // The session's reading and writing continue from their own completions: nothing here is awaited. The lease is
    // the connection's from here on, or given back if the session cannot start.
    private void StartChat(Socket socket, IPEndPoint? remote, PipeReader input, PipeWriter output, IDisposable? transport, IDisposable? lease, CancellationToken shutdown, Action<Socket> closed)
    {
        var connection = new ChatConnection(this, socket, input, transport, lease, closed);
        try
        {
            // An overflow cuts the socket, which ends both the reader and the writer: no token sources of our own.
            connection.Start(connections.Open(Via.Tcp, remote, connection), output);
        }
        catch
        {
            lease?.Dispose();
            throw;
        }

        lines.Start(connection.Session, input, LineInputGuards.Tcp, connection, shutdown);
    }

    /// <summary>
    /// One chat session on a TCP connection, for as long as it lasts. While the client is idle this object, the
    /// session, the line input and the writer are all it holds: reading and writing wait on completions, not frames.
    /// </summary>
    private sealed class ChatConnection(
        TcpChatHandler handler,
        Socket socket,
        PipeReader input,
        IDisposable? transport,
        IDisposable? lease,
        Action<Socket> closed) : ILineInputOwner, IChatTransport
    {
        private LineOutput? _writer;

        public ChatSession Session { get; private set; } = null!;

        public void Start(ChatSession session, PipeWriter output)
        {
            Session = session;
            _writer = LineOutput.Start(session, output);
        }

        public void CutOff() => Close(socket);

        // Not ended by the client's FIN alone: a client that half-closes after its last lines still has them handled
        // and answered before the input ends. A stop ends reading by shutting the socket's receive side.
        public void InputEnded(bool quit, Exception? error) => _ = EndAsync(quit, error);

        private async Task EndAsync(bool quit, Exception? error)
        {
            try
            {
                if (error is not null)
                {
                    handler.Connections.Ended(Via.Tcp, Session.RemoteAddress, error);
                }

                handler.Connections.Close(Session, quit ? LeftReasons.Quit : LeftReasons.Disconnected);
                await input.CompleteAsync().ConfigureAwait(false);
                await FinishWritingAsync(_writer!, handler.Time).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Nothing of one connection may reach the accept loop, or go unobserved.
                handler.Connections.Ended(Via.Tcp, Session.RemoteAddress, e);
            }
            finally
            {
                lease?.Dispose();
                End(socket, closed);
                transport?.Dispose();
            }
        }
    }

    // The queue is complete now: let the writer send what is left (a /quit's "bye"), but never wait on a dead peer.
    private static async Task FinishWritingAsync(LineOutput writer, TimeProvider time)
    {
        if (!await EndsInTimeAsync(writer.Completion, time).ConfigureAwait(false))
        {
            writer.CancelPendingFlush();
            await EndsInTimeAsync(writer.Completion, time).ConfigureAwait(false);
        }
    }

    private static async Task<bool> EndsInTimeAsync(Task writer, TimeProvider time)
    {
        try
        {
            await writer.WaitAsync(DrainTimeout, time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
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
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogEnd(socket.RemoteEndPoint, e);
        }
        finally
        {
            End(socket, closed);
        }
    }

    private void LogEnd(EndPoint? remote, Exception e) => connections.Ended(Via.Tcp, ClientAddress.Format(remote as IPEndPoint), e);

    private async Task WriteRefusalAsync(PipeWriter output, string code, string text)
    {
        using var timeout = new CancellationTokenSource(DrainTimeout, time);
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
}
