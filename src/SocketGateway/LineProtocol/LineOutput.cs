using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using SocketGateway.Connections;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Sessions;

namespace SocketGateway.LineProtocol;

/// <summary>
/// Drains a session's queue into a pipe: every event already waiting is written, then one flush. It runs only while
/// there is something to write: the queue queues it to the thread pool when an event arrives
/// (<see cref="ChatSession.OutboundReader.NotifyWhenReadable"/>), so an idle member's writer is this object and no
/// async frame. A flush that has to wait (a slow reader) continues from its completion.
/// </summary>
public sealed class LineOutput : IThreadPoolWorkItem
{
    // Bounds how much is buffered before a flush, so a burst does not grow one huge write.
    private const int FlushThreshold = 64 * 1024;

    private readonly ChatSession _session;
    private readonly PipeWriter _output;
    private LineEncoder _encoder;
    private Action? _afterFlush; // made by the first flush that has to wait
    private FramelessAwaiter<FlushResult> _flush;
    private object? _done; // null while running; a TaskCompletionSource once someone waits; the final Task at the end

    private LineOutput(ChatSession session, PipeWriter output)
    {
        _session = session;
        _output = output;
    }

    /// <summary>Starts writing <paramref name="session"/>'s events to <paramref name="output"/> (what is queued now at once).</summary>
    public static LineOutput Start(ChatSession session, PipeWriter output)
    {
        var writer = new LineOutput(session, output);
        writer.Drain();
        return writer;
    }

    /// <summary>
    /// Completes when the writer has stopped: the queue completed and drained, or the peer is gone. Faults only on a
    /// failure that is no peer going away (a bug), so that the transport logs it.
    /// </summary>
    public Task Completion
    {
        get
        {
            while (true)
            {
                switch (Volatile.Read(ref _done))
                {
                    case TaskCompletionSource waiting:
                        return waiting.Task;
                    case Task final:
                        return final;
                }

                var made = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (Interlocked.CompareExchange(ref _done, made, null) is null)
                {
                    return made.Task;
                }
            }
        }
    }

    /// <summary>Ends a flush stuck on a peer that does not read (what it held is dropped); the writer then stops.</summary>
    public void CancelPendingFlush() => _output.CancelPendingFlush();

    void IThreadPoolWorkItem.Execute() => Drain();

    private void Drain()
    {
        try
        {
            var queue = _session.Outbound;
            while (true)
            {
                switch (queue.NotifyWhenReadable(this))
                {
                    case QueueReadiness.Waiting:
                        return;
                    case QueueReadiness.Completed:
                        Stop(null);
                        return;
                }

                var pending = 0L;
                while (pending < FlushThreshold && queue.TryRead(out var evt))
                {
                    if (!_encoder.TryEncode(evt, out var bytes))
                    {
                        continue;
                    }

                    _output.Write(bytes.Span);
                    pending += bytes.Length;
                }

                if (!_flush.TryComplete(_output.FlushAsync(), _afterFlush ??= AfterFlush, out var flushed))
                {
                    return;
                }

                if (!Flushed(flushed))
                {
                    return;
                }
            }
        }
        catch (Exception e)
        {
            Stop(IsPeerGone(e) ? null : e);
        }
    }

    private void AfterFlush()
    {
        try
        {
            if (!Flushed(_flush.GetResult()))
            {
                return;
            }
        }
        catch (Exception e)
        {
            Stop(IsPeerGone(e) ? null : e);
            return;
        }

        Drain();
    }

    private bool Flushed(FlushResult result)
    {
        _session.NotifyDrained();
        if (result.IsCompleted || result.IsCanceled)
        {
            Stop(null);
            return false;
        }

        return true;
    }

    // Once: the session learns that nothing will drain its queue any more, and whoever waits is told.
    private void Stop(Exception? failure)
    {
        var final = failure is null ? Task.CompletedTask : Task.FromException(failure);
        var previous = Volatile.Read(ref _done);
        while (previous is not Task)
        {
            var seen = Interlocked.CompareExchange(ref _done, final, previous);
            if (ReferenceEquals(seen, previous))
            {
                _session.WriterStopped();
                if (previous is TaskCompletionSource waiting)
                {
                    if (failure is null)
                    {
                        waiting.TrySetResult();
                    }
                    else
                    {
                        waiting.TrySetException(failure);
                    }
                }

                return;
            }

            previous = seen;
        }
    }

    private static bool IsPeerGone(Exception e) =>
        e is IOException or SocketException or ObjectDisposedException or OperationCanceledException;
}
