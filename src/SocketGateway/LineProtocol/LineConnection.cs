using System.Buffers;
using System.IO.Pipelines;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.Core.Limits;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Sessions;

namespace SocketGateway.LineProtocol;

/// <summary>
/// Reads the line protocol from a pipe and runs each line through <see cref="LineCommands"/>. TCP hands it the
/// socket's pipe (with the raw-input <see cref="LineInputGuards"/>), the raw WebSocket a pipe fed from its frames:
/// one read loop for both. A started line must be
/// completed within <c>LineTimeoutSeconds</c> (slowloris), and with <c>LoginTimeoutSeconds</c> set a new
/// connection must send its first line in time; either failure is one error line, then the connection closes.
/// </summary>
public sealed class LineConnection(LineCommands commands, GatewayLimits limits, TimeProvider time)
{
    /// <summary>The text a peer that is no trusted proxy is told when it starts with a PROXY protocol header.</summary>
    public const string UntrustedProxyHeaderText = "a PROXY protocol header is accepted only from a trusted proxy; closing";

    /// <summary>Runs until the input ends or the client quits; returns true when it was a /quit.</summary>
    public Task<bool> ReadAsync(ChatSession session, PipeReader input, CancellationToken cancellationToken) =>
        ReadAsync(session, input, LineInputGuards.None, cancellationToken);

    /// <summary>As above, with the raw-input checks of <paramref name="guards"/> (a raw TCP port wants them all).</summary>
    public async Task<bool> ReadAsync(ChatSession session, PipeReader input, LineInputGuards guards, CancellationToken cancellationToken)
    {
        var decoder = new LineDecoder(limits.MaxLineBytes);
        var lineDeadline = new InputDeadline(TimeSpan.FromSeconds(limits.LineTimeoutSeconds), time);
        var loginDeadline = new InputDeadline(TimeSpan.FromSeconds(limits.LoginTimeoutSeconds), time);
        loginDeadline.Start();
        var firstLine = true;
        var probingProxyHeader = guards.HasFlag(LineInputGuards.RefuseProxyHeader);
        TelnetInput? telnet = null;

        // One timer per connection, armed only while a deadline runs; firing it wakes the pending read.
        ITimer? timer = null;
        try
        {
            while (true)
            {
                if (Earliest(lineDeadline.Remaining, loginDeadline.Remaining) is { } wait)
                {
                    timer ??= time.CreateTimer(static state => ((PipeReader)state!).CancelPendingRead(), input, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    timer.Change(wait, Timeout.InfiniteTimeSpan);
                }
                else
                {
                    timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }

                var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                // A read woken by the deadline timer while the first bytes still might be a header ("\r\n" starts a
                // v2 one) decides that they are not: a proxy does not spread its header over the line timeout.
                var proxyHeader = probingProxyHeader
                    ? ProbeProxyHeader(buffer, inputEnded: result.IsCompleted || result.IsCanceled)
                    : ProxyHeaderStatus.NotProxy;
                probingProxyHeader = proxyHeader == ProxyHeaderStatus.Incomplete;
                if (proxyHeader is ProxyHeaderStatus.NotProxy or ProxyHeaderStatus.Invalid && telnet is null
                    && guards.HasFlag(LineInputGuards.FilterTelnet) && buffer.PositionOf(TelnetFilter.Iac) is not null)
                {
                    // From here on the filter reads the socket; it starts with these very bytes, so none is read twice.
                    telnet = new TelnetInput(input, buffer, session);
                    input = telnet.Reader;
                    timer?.Dispose();
                    timer = null;
                    continue;
                }

                var completed = false;
                try
                {
                    if (proxyHeader == ProxyHeaderStatus.Header)
                    {
                        session.Send(new ErrorEvent(ErrorCodes.BadArgument, UntrustedProxyHeaderText));
                        return false;
                    }

                    while (proxyHeader != ProxyHeaderStatus.Incomplete && NextLine(ref decoder, ref buffer, session, out var line, out var status))
                    {
                        completed = true;
                        if (status == LineStatus.Line)
                        {
                            loginDeadline.Clear();
                        }

                        if (line is null)
                        {
                            continue;
                        }

                        if (firstLine && guards.HasFlag(LineInputGuards.RefuseHttp) && HttpProbe.IsRequestLine(line))
                        {
                            session.Send(new ErrorEvent(ErrorCodes.BadArgument, "this port speaks the chat line protocol, not HTTP; closing"));
                            return false;
                        }

                        firstLine = false;
                        if (session.WasAborted)
                        {
                            // Cut off as a slow consumer: nothing it already sent is acted on any more.
                            return false;
                        }

                        if (!await commands.ExecuteAsync(session, line, cancellationToken).ConfigureAwait(false))
                        {
                            return true;
                        }

                        await session.WaitForOutboundBelowAsync(limits.OutboundQueueLength / 2, cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    // Everything left is an incomplete line, already known to be within the limit.
                    input.AdvanceTo(buffer.Start, buffer.End);
                    TrackIncompleteLine(lineDeadline, pending: !buffer.IsEmpty || decoder.IsDiscarding, restart: completed);
                }

                // A line completed in the same read as the timer fired wins: the deadlines were updated above.
                if (lineDeadline.IsExpired)
                {
                    session.Send(new ErrorEvent(ErrorCodes.BadArgument, $"a line must be completed within {limits.LineTimeoutSeconds} s; closing"));
                    return false;
                }

                if (loginDeadline.IsExpired)
                {
                    session.Send(new ErrorEvent(ErrorCodes.BadArgument, $"nothing was sent within {limits.LoginTimeoutSeconds} s; closing"));
                    return false;
                }

                // IsCanceled alone is the deadline timer waking the read early: go on reading.
                if (result.IsCompleted)
                {
                    return false;
                }
            }
        }
        finally
        {
            timer?.Dispose();
            if (telnet is not null)
            {
                await telnet.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Whether the input starts with a PROXY header; <see cref="ProxyHeaderStatus.Incomplete"/> while the first few
    /// bytes cannot tell yet (a chat line is never held back beyond them). Input that ended (or waited too long) is
    /// no header.
    /// </summary>
    private static ProxyHeaderStatus ProbeProxyHeader(ReadOnlySequence<byte> buffer, bool inputEnded)
    {
        var status = ProxyProtocol.TryParse(buffer, out _, out _);
        return status == ProxyHeaderStatus.Incomplete && inputEnded ? ProxyHeaderStatus.NotProxy : status;
    }

    private static void TrackIncompleteLine(InputDeadline deadline, bool pending, bool restart)
    {
        if (!pending || restart)
        {
            deadline.Clear();
        }

        if (pending)
        {
            deadline.Start();
        }
    }

    private static TimeSpan? Earliest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    // Synchronous so that the SequenceReader (a ref struct) never lives across an await.
    private bool NextLine(ref LineDecoder decoder, ref ReadOnlySequence<byte> buffer, ChatSession session, out string? line, out LineStatus status)
    {
        line = null;
        var reader = new SequenceReader<byte>(buffer);
        status = decoder.TryReadLine(ref reader, out var bytes);
        if (status == LineStatus.TooLong)
        {
            session.Send(new ErrorEvent(ErrorCodes.LineTooLong, $"a line may be at most {limits.MaxLineBytes} bytes; it was dropped"));
        }
        else if (status == LineStatus.Line && !LineText.TryDecode(bytes, out line))
        {
            line = null;
            session.Send(new ErrorEvent(ErrorCodes.BadArgument, "the line is not valid UTF-8; it was dropped"));
        }

        buffer = buffer.Slice(reader.Position);
        return status != LineStatus.Incomplete;
    }
}
