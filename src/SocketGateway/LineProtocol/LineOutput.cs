using System.Buffers;
using System.IO.Pipelines;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Sessions;

namespace SocketGateway.LineProtocol;

/// <summary>Drains a session's queue into a pipe: every event already waiting is written, then one flush.</summary>
public static class LineOutput
{
    // Bounds how much is buffered before a flush, so a burst does not grow one huge write.
    private const int FlushThreshold = 64 * 1024;

    public static async Task PumpAsync(ChatSession session, PipeWriter output, CancellationToken cancellationToken)
    {
        var queue = session.Outbound;
        var encoder = default(LineEncoder);
        try
        {
            while (await queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var pending = 0L;
                while (pending < FlushThreshold && queue.TryRead(out var evt))
                {
                    if (!encoder.TryEncode(evt, out var bytes))
                    {
                        continue;
                    }

                    output.Write(bytes.Span);
                    pending += bytes.Length;
                }

                var flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                session.NotifyDrained();
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return;
                }
            }
        }
        finally
        {
            session.WriterStopped();
        }
    }
}
