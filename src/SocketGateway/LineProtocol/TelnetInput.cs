using System.Buffers;
using System.IO.Pipelines;
using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Sessions;

namespace SocketGateway.LineProtocol;

/// <summary>
/// A <see cref="TelnetFilter"/> between the socket and the line reader, put there by the reader the first time a
/// client's input holds an IAC byte (valid UTF-8 never does): a plain client never pays for a second pipe and a
/// pump, a telnet client gets its negotiation consumed and never relayed. BINARY is offered both ways on its first
/// telnet sequence (a telnet client without it turns UTF-8 bytes into its own control characters); every other
/// option request is refused (WONT/DONT). Both go through the session's queue, so they never cut into a line being written.
/// </summary>
public sealed class TelnetInput : IAsyncDisposable
{
    private readonly Pipe _filtered = new(new PipeOptions(useSynchronizationContext: false));
    private readonly TelnetFilter _filter = new(offerBinary: true);
    private readonly PipeReader _source;
    private readonly ChatSession _session;
    private readonly Task _pump;
    private volatile bool _stopping;

    /// <summary>
    /// Takes over <paramref name="source"/> in the middle of a read: <paramref name="first"/>, that read's bytes, is
    /// filtered at once and consumed, and the filter reads everything after it.
    /// </summary>
    public TelnetInput(PipeReader source, ReadOnlySequence<byte> first, ChatSession session)
    {
        _source = source;
        _session = session;
        Filter(first, _filtered.Writer);
        source.AdvanceTo(first.End);
        _pump = PumpAsync();
    }

    /// <summary>The client's input without telnet negotiation.</summary>
    public PipeReader Reader => _filtered.Reader;

    /// <summary>Whether the client has sent a telnet sequence (not only a 0xFF byte).</summary>
    public bool SpokeTelnet => _filter.SpokeTelnet;

    /// <summary>The client refused BINARY: it may go on changing non-ASCII input (netkit telnet sends IAC BRK for 0x9C).</summary>
    public bool RefusedBinary => _filter.BinaryRefused;

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        await _filtered.Reader.CompleteAsync().ConfigureAwait(false);
        _source.CancelPendingRead();
        await _pump.ConfigureAwait(false);
    }

    /// <summary>Never throws: however the input ends, the filtered pipe is completed.</summary>
    private async Task PumpAsync()
    {
        var output = _filtered.Writer;
        Exception? error = null;
        try
        {
            // Back-pressure: when the line reader stops (the message budget), this stops reading the socket.
            var flush = await output.FlushAsync().ConfigureAwait(false);
            while (!flush.IsCompleted && !flush.IsCanceled)
            {
                var result = await _source.ReadAsync().ConfigureAwait(false);
                Filter(result.Buffer, output);
                _source.AdvanceTo(result.Buffer.End);

                // A cancelled read that is not ours is a late wake-up meant for the reader before the switch.
                if (result.IsCompleted || (result.IsCanceled && _stopping))
                {
                    break;
                }

                flush = await output.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // The filtered reader was completed under us: the line reader has stopped.
        }
        catch (Exception e)
        {
            // A reset, a disposed socket, anything: the line reader gets it as the end of its input.
            error = e;
        }

        await output.CompleteAsync(error).ConfigureAwait(false);
    }

    private void Filter(ReadOnlySequence<byte> input, PipeWriter output)
    {
        foreach (var segment in input)
        {
            var written = _filter.Filter(segment.Span, output.GetSpan(segment.Length + 2));
            output.Advance(written);
        }

        if (_filter.TakeReplies() is { Length: > 0 } refusals)
        {
            _session.Send(new RawBytesEvent(refusals));
        }
    }
}
