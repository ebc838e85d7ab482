using System.Buffers;
using System.IO.Pipelines;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Sessions;

namespace SocketGateway.LineProtocol;

/// <summary>
/// Reads the line protocol from a pipe and runs each line through <see cref="LineCommands"/>. TCP hands it the
/// socket's pipe, the raw WebSocket a pipe fed from its frames: one read loop for both.
/// </summary>
public sealed class LineConnection(LineCommands commands, GatewayLimits limits)
{
    /// <summary>Runs until the input ends or the client quits; returns true when it was a /quit.</summary>
    public async Task<bool> ReadAsync(ChatSession session, PipeReader input, CancellationToken cancellationToken)
    {
        var decoder = new LineDecoder(limits.MaxLineBytes);
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                while (NextLine(ref decoder, ref buffer, session, out var line))
                {
                    if (line is null)
                    {
                        continue;
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
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return false;
            }
        }
    }

    // Synchronous so that the SequenceReader (a ref struct) never lives across an await.
    private bool NextLine(ref LineDecoder decoder, ref ReadOnlySequence<byte> buffer, ChatSession session, out string? line)
    {
        line = null;
        var reader = new SequenceReader<byte>(buffer);
        var status = decoder.TryReadLine(ref reader, out var bytes);
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
