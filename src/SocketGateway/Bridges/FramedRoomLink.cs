using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using SocketGateway.Connections;
using SocketGateway.Core;
using SocketGateway.Core.Bridges;
using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Bridges;

/// <summary>
/// Moves frames between one socket and one room, for a bridge and a device connection alike: each frame read is a
/// message sent by <paramref name="session"/> through the room core (its budget, its validation), and each message
/// of everyone else in the room is written back in the framing. A far side that stops reading fills the session's
/// bounded queue and is cut off, as a slow member is; the room never waits for it.
/// </summary>
public sealed class FramedRoomLink(ChatService chat, ChatSession session, string room, Framing framing, LinkCounters counters)
{
    public const string CutOffReason = "cut off: the far side stopped reading the room's messages";
    public const string ClosedReason = "the far side closed the connection";

    private readonly CancellationTokenSource _end = new();
    private int _cutOff;

    /// <summary>True once the link was cut because the far side stopped reading.</summary>
    public bool WasCutOff => Volatile.Read(ref _cutOff) == 1;

    /// <summary>
    /// Runs until either side ends, <paramref name="stop"/> is cancelled, or the far side is cut off; returns why it
    /// ended. <paramref name="close"/> ends the transport, so that a loop inside a socket call that ignores the token
    /// ends too; the pipes are completed here.
    /// </summary>
    public async Task<string> RunAsync(PipeReader reader, PipeWriter writer, Action close, CancellationToken stop)
    {
        using var stopping = stop.Register(static s => ((CancellationTokenSource)s!).Cancel(), _end);
        session.OnAbort(static (_, link) => ((FramedRoomLink)link).CutOff(), this);
        var reading = ReadAsync(reader);
        var writing = WriteAsync(writer);
        try
        {
            var first = await Task.WhenAny(reading, writing).ConfigureAwait(false);
            await _end.CancelAsync().ConfigureAwait(false);
            close();
            var reason = await first.ConfigureAwait(false);
            await Task.WhenAll(reading, writing).ConfigureAwait(false);
            return WasCutOff ? CutOffReason : stop.IsCancellationRequested ? "stopped" : reason;
        }
        finally
        {
            // Whatever ended the link (a fault included), both loops are over before the pipes and the session are let go.
            await _end.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(reading, writing).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            await reader.CompleteAsync().ConfigureAwait(false);
            try
            {
                // Gives the pipe's buffers back; what it still holds cannot be sent on the closed transport.
                await writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (ChatConnections.IsPeerGone(e))
            {
            }

            session.WriterStopped();
        }
    }

    /// <summary>The same over a stream (a bridge's outgoing socket), which is disposed at the end.</summary>
    public Task<string> RunAsync(Stream stream, CancellationToken stop) =>
        RunAsync(PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true)), stream.Dispose, stop);

    private void CutOff()
    {
        if (Interlocked.Exchange(ref _cutOff, 1) == 0)
        {
            CoreMetrics.BridgesCutOff.Add(1);
            _end.Cancel();
        }
    }

    private async Task<string> ReadAsync(PipeReader reader)
    {
        var decoder = new FrameDecoder(framing, chat.Limits.MaxLineBytes);
        var texts = new List<string>();
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_end.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var consumed = Cut(decoder, buffer, texts);
                counters.Read(buffer.Slice(0, consumed).Length);
                reader.AdvanceTo(consumed, buffer.End);
                // Nothing more is read until these are sent: a service that outruns its budget is slowed by TCP.
                foreach (var text in texts)
                {
                    if (!await SendAsync(text).ConfigureAwait(false))
                    {
                        return $"{room}: no longer a member";
                    }
                }

                texts.Clear();
                if (result.IsCompleted)
                {
                    return ClosedReason;
                }
            }
        }
        catch (Exception e) when (ChatConnections.IsPeerGone(e))
        {
            return e is OperationCanceledException ? "stopped" : e.Message;
        }
    }

    // The frames of one read as text; a frame that is too long, not UTF-8 or blank is counted and skipped here.
    private SequencePosition Cut(FrameDecoder decoder, in ReadOnlySequence<byte> buffer, List<string> texts)
    {
        var frames = new SequenceReader<byte>(buffer);
        while (decoder.TryRead(ref frames, out var frame) is var status && status != LineStatus.Incomplete)
        {
            counters.FrameIn();
            if (status == LineStatus.TooLong || !LineText.TryDecode(frame, out var text) || string.IsNullOrWhiteSpace(text))
            {
                counters.Skip();
            }
            else
            {
                texts.Add(text);
            }
        }

        return frames.Position;
    }

    // A flooding service waits for its budget like a user: it is read more slowly and loses nothing. A frame the room
    // refuses is skipped; a room the session is no longer in ends the link.
    private async ValueTask<bool> SendAsync(string text)
    {
        await session.Budget.WaitAsync(_end.Token).ConfigureAwait(false);
        // Each message comes back to the sender's own queue too (it is a member): a fast far side waits for those to
        // be drained, as a TCP user does, instead of filling its own queue and being cut off.
        await session.WaitForOutboundBelowAsync(chat.Limits.OutboundQueueLength / 2, _end.Token).ConfigureAwait(false);
        try
        {
            await chat.SendAsync(session, room, text).ConfigureAwait(false);
            return true;
        }
        catch (ChatException e) when (e.Code is ErrorCodes.BadArgument or ErrorCodes.MessageTooLong)
        {
            counters.Skip();
            return true;
        }
        catch (ChatException)
        {
            return false;
        }
    }

    // A message is one frame: a line break (or, for nul, a zero byte) inside it would let anyone in the room write
    // frames of their choosing to the service. Each becomes a space; a length prefix needs nothing.
    private string OneFrame(string text)
    {
        if (framing == Framing.Lp32 || text.AsSpan().IndexOfAny(FrameBreaks) < 0)
        {
            return text;
        }

        return string.Create(text.Length, text, static (chars, source) =>
        {
            source.CopyTo(chars);
            for (var i = 0; i < chars.Length; i++)
            {
                if (FrameBreaks.Contains(chars[i]))
                {
                    chars[i] = ' ';
                }
            }
        });
    }

    private static readonly System.Buffers.SearchValues<char> FrameBreaks = System.Buffers.SearchValues.Create("\r\n\0\u0085\u2028\u2029");

    private async Task<string> WriteAsync(PipeWriter writer)
    {
        try
        {
            while (await session.Outbound.WaitToReadAsync(_end.Token).ConfigureAwait(false))
            {
                while (session.Outbound.TryRead(out var evt))
                {
                    // Not its own, and not another bridge's: two bridges in one room whose services echo would
                    // otherwise feed each other for ever.
                    if (evt.Event is MessageEvent { Type: MessageKinds.Message } message && message.Room == room
                        && message.Via != Via.Bridge && !string.Equals(message.From, session.Nick, StringComparison.OrdinalIgnoreCase))
                    {
                        counters.FrameOut(Framings.Write(writer, framing, Encoding.UTF8.GetBytes(OneFrame(message.Text))));
                    }
                }

                await writer.FlushAsync(_end.Token).ConfigureAwait(false);
                session.NotifyDrained();
                if (!session.Rooms.Contains(room))
                {
                    // Kicked, or the room was closed: what the link is for is gone.
                    return $"{room}: no longer a member";
                }
            }

            if (session.Overflowed)
            {
                // The queue ended because it filled up (a burst the far side did not read in time).
                CutOff();
            }

            return "disconnected";
        }
        catch (Exception e) when (ChatConnections.IsPeerGone(e))
        {
            return e is OperationCanceledException ? "stopped" : e.Message;
        }
    }
}
