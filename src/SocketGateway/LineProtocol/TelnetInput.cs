using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Sessions;

namespace SocketGateway.LineProtocol;

/// <summary>
/// A <see cref="TelnetFilter"/> between the socket and the line reader, put there by the reader the first time a
/// client's input holds an IAC byte (valid UTF-8 never does): a plain client never pays for a second pipe and a
/// pump, a telnet client gets its negotiation consumed and never relayed. Nothing is agreed to: an option request
/// is refused (WONT/DONT) through the session's queue, so a refusal never cuts into a line being written.
/// </summary>
public sealed class TelnetInput : IAsyncDisposable
{
    private readonly Pipe _filtered = new(new PipeOptions(useSynchronizationContext: false));
    private readonly PipeReader _source;
    private readonly Task _pump;

    /// <summary>Starts filtering <paramref name="source"/> from its first unconsumed byte.</summary>
    public TelnetInput(PipeReader source, ChatSession session)
    {
        _source = source;
        _pump = PumpAsync(source, _filtered.Writer, session);
    }

    /// <summary>The client's input without telnet negotiation.</summary>
    public PipeReader Reader => _filtered.Reader;

    public async ValueTask DisposeAsync()
    {
        await _filtered.Reader.CompleteAsync().ConfigureAwait(false);
        _source.CancelPendingRead();
        await _pump.ConfigureAwait(false);
    }

    /// <summary>Never throws: however the input ends, the filtered pipe is completed.</summary>
    private static async Task PumpAsync(PipeReader input, PipeWriter output, ChatSession session)
    {
        var filter = new TelnetFilter();
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    var written = filter.Filter(segment.Span, output.GetSpan(segment.Length + 1));
                    output.Advance(written);
                }

                input.AdvanceTo(buffer.End);
                if (filter.TakeReplies() is { Length: > 0 } refusals)
                {
                    session.Send(new RawBytesEvent(refusals));
                }

                if (result.IsCanceled || result.IsCompleted)
                {
                    break;
                }

                // Back-pressure: when the line reader stops (the message budget), this stops reading the socket.
                var flush = await output.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException)
        {
            error = e is InvalidOperationException ? null : e;
        }

        await output.CompleteAsync(error).ConfigureAwait(false);
    }
}
