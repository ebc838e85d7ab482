using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using SocketGateway.Core;
using SocketGateway.Core.Limits;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Tcp;

/// <summary>
/// The PROXY protocol (v1 and v2) on the TCP listeners, first in the connection pipeline so that the connection
/// guard, the per-address limits and <c>/api/users</c> see the real client. A peer in <c>Gateway:TrustedProxies</c>
/// must start with a header (the specification forbids guessing), within the header timeout; without a valid
/// one it is told one line and closed. Any other peer that sends a valid header is refused the same way, after its
/// welcome: its header is never believed and never relayed as chat.
/// </summary>
public static class ProxyProtocolMiddleware
{
    private const string RefusedKey = "SocketGateway.ProxyHeaderRefused";

    public const string UntrustedText = "a PROXY protocol header is accepted only from a trusted proxy; closing";

    public static ListenOptions UseProxyProtocol(this ListenOptions listen, TimeSpan headerTimeout)
    {
        var trusted = listen.ApplicationServices.GetRequiredService<TrustedProxyList>();
        var time = listen.ApplicationServices.GetRequiredService<TimeProvider>();
        listen.Use(next => async connection =>
        {
            if (!trusted.Contains((connection.RemoteEndPoint as IPEndPoint)?.Address))
            {
                var original = connection.Transport;
                connection.Transport = new DuplexPipe(new UntrustedHeaderReader(original.Input, connection), original.Output);
                try
                {
                    await next(connection).ConfigureAwait(false);
                }
                finally
                {
                    connection.Transport = original;
                }

                return;
            }

            var (status, header) = await ReadHeaderAsync(connection, headerTimeout, time).ConfigureAwait(false);
            if (status != ProxyHeaderStatus.Header)
            {
                var reason = status == ProxyHeaderStatus.Incomplete
                    ? $"no PROXY protocol header within {headerTimeout.TotalSeconds} s; closing"
                    : "expected a valid PROXY protocol header from this proxy; closing";
                await TcpConnectionLimits.RefuseAsync(connection, ErrorCodes.BadArgument, reason).ConfigureAwait(false);
                return;
            }

            if (header.Source is { } source)
            {
                connection.RemoteEndPoint = source;
            }

            await next(connection).ConfigureAwait(false);
        });
        return listen;
    }

    /// <summary>True when the connection's peer, not a trusted proxy, sent a PROXY header (it is then closed).</summary>
    public static bool WasRefused(ConnectionContext connection) => connection.Items.ContainsKey(RefusedKey);

    private static async Task<(ProxyHeaderStatus Status, ProxyHeader Header)> ReadHeaderAsync(ConnectionContext connection, TimeSpan timeout, TimeProvider time)
    {
        var input = connection.Transport.Input;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, connection.ConnectionClosed);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(stop.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var status = Parse(buffer, out var header, out var consumed);
                if (status == ProxyHeaderStatus.Incomplete && !result.IsCompleted && !result.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                input.AdvanceTo(status == ProxyHeaderStatus.Header ? consumed : buffer.Start);
                return (status == ProxyHeaderStatus.Incomplete ? ProxyHeaderStatus.Invalid : status, header);
            }
        }
        catch (OperationCanceledException)
        {
            return (ProxyHeaderStatus.Incomplete, default);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ConnectionAbortedException)
        {
            return (ProxyHeaderStatus.Invalid, default);
        }
    }

    private static ProxyHeaderStatus Parse(ReadOnlySequence<byte> buffer, out ProxyHeader header, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var status = ProxyProtocol.TryParse(ref reader, out header);
        consumed = reader.Position;
        return status;
    }

    /// <summary>
    /// Passes the input through untouched, except that a valid PROXY header at its very start ends it (and marks the
    /// connection, so the chat handler says why). Only the first bytes are looked at: a chat line is never delayed
    /// beyond the few bytes that tell a header from text.
    /// </summary>
    private sealed class UntrustedHeaderReader(PipeReader inner, ConnectionContext connection) : PipeReader
    {
        private bool _decided;
        private bool _refused;

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (_refused)
                {
                    return new ReadResult(result.Buffer.Slice(0, 0), isCanceled: false, isCompleted: true);
                }

                if (_decided || result.IsCanceled)
                {
                    return result;
                }

                var status = Parse(result.Buffer, out _, out _);
                if (status == ProxyHeaderStatus.Incomplete && !result.IsCompleted)
                {
                    inner.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                    continue;
                }

                _decided = true;
                if (status == ProxyHeaderStatus.Header)
                {
                    _refused = true;
                    connection.Items[RefusedKey] = true;
                    return new ReadResult(result.Buffer.Slice(0, 0), isCanceled: false, isCompleted: true);
                }

                return result;
            }
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!_decided || _refused)
            {
                result = default;
                return false;
            }

            return inner.TryRead(out result);
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
