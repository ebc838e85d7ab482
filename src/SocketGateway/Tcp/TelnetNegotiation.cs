using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Tcp;

/// <summary>
/// Puts a <see cref="TelnetFilter"/> between the socket and the line reader, so that telnet negotiation is consumed
/// and never relayed. Nothing is agreed to: a telnet client that asks for an option is refused (WONT/DONT, through
/// <see cref="TelnetReplies"/>) and falls back to plain lines.
/// </summary>
public static class TelnetNegotiation
{
    public static ListenOptions UseTelnetFilter(this ListenOptions listen)
    {
        listen.Use(next => async connection =>
        {
            var original = connection.Transport;
            var filtered = new Pipe(new PipeOptions(useSynchronizationContext: false));
            connection.Transport = new DuplexPipe(filtered.Reader, original.Output);
            var replies = new TelnetReplies();
            connection.Features.Set(replies);
            var pump = PumpAsync(original.Input, filtered.Writer, replies);
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                await filtered.Reader.CompleteAsync().ConfigureAwait(false);
                original.Input.CancelPendingRead();
                await pump.ConfigureAwait(false);
                connection.Transport = original;
            }
        });
        return listen;
    }

    /// <summary>Never throws: however the input ends, the filtered pipe is completed.</summary>
    private static async Task PumpAsync(PipeReader input, PipeWriter output, TelnetReplies replies)
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
                    replies.Add(refusals);
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

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
