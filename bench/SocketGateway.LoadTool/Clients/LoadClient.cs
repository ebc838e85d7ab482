using System.Buffers.Text;
using System.Diagnostics;

namespace SocketGateway.LoadTool.Clients;

/// <summary>The span of send timestamps whose deliveries count toward latency (after the warm-up).</summary>
public sealed class MeasureWindow
{
    private long _from = long.MaxValue;
    private long _to = long.MaxValue;

    public long From { get => Volatile.Read(ref _from); set => Volatile.Write(ref _from, value); }

    public long To { get => Volatile.Read(ref _to); set => Volatile.Write(ref _to, value); }
}

/// <summary>
/// One simulated user. Its receive loop splits what arrives into records (lines, or SignalR records), counts the
/// benchmark messages (text starting with '~' and 16 hex digits of the sender's Stopwatch timestamp) and records
/// their latency; control replies (welcome, pong, hub completions) count as acks that setup steps wait for.
/// </summary>
public abstract class LoadClient : IAsyncDisposable
{
    public const int TextBytes = 64;
    protected const byte Marker = (byte)'~';

    private readonly MeasureWindow _window;
    private long _received;
    private long _acks;
    private long _ackTarget = long.MaxValue;
    private TaskCompletionSource? _ackWaiter;

    protected LoadClient(MeasureWindow window) => _window = window;

    public long Received => Volatile.Read(ref _received);

    public LatencyHistogram? Latency { get; private set; }

    public bool Closed { get; protected set; }

    public string? Error { get; protected set; }

    protected abstract byte Separator { get; }

    public abstract Task ConnectAsync(ServerEndpoint server, CancellationToken cancellationToken);

    /// <summary>Joins the room (making it current) and waits until the server has answered.</summary>
    public abstract Task JoinAsync(string room, CancellationToken cancellationToken);

    /// <summary>Sends <paramref name="count"/> benchmark messages of <see cref="TextBytes"/> bytes to the room.</summary>
    public abstract ValueTask SendMessagesAsync(string room, int count, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    /// <summary>The text of a benchmark message stamped now: '~', 16 hex digits, a space, padding.</summary>
    protected static void WriteText(Span<byte> destination, long timestamp)
    {
        destination[0] = Marker;
        Utf8Formatter.TryFormat(timestamp, destination.Slice(1, 16), out _, new System.Buffers.StandardFormat('X', 16));
        destination[17] = (byte)' ';
        destination[18..TextBytes].Fill((byte)'x');
    }

    protected Task WaitForAckAsync(long target, CancellationToken cancellationToken)
    {
        // Target off while the waiter is swapped, so an ack for an earlier target cannot complete the new waiter.
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _ackTarget, long.MaxValue);
        Volatile.Write(ref _ackWaiter, waiter);
        Volatile.Write(ref _ackTarget, target);
        if (Volatile.Read(ref _acks) >= target)
        {
            return Task.CompletedTask;
        }

        return waiter.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    protected long Acks => Volatile.Read(ref _acks);

    /// <summary>Handles every complete record in <paramref name="data"/>; returns the bytes consumed.</summary>
    protected int ProcessRecords(ReadOnlySpan<byte> data)
    {
        var now = Stopwatch.GetTimestamp();
        var consumed = 0;
        int end;
        while ((end = data[consumed..].IndexOf(Separator)) >= 0)
        {
            OnRecord(data.Slice(consumed, end), now);
            consumed += end + 1;
        }

        return consumed;
    }

    protected abstract bool IsAck(ReadOnlySpan<byte> record);

    protected void Fail(Exception e)
    {
        Error ??= e.Message;
        Closed = true;
        Volatile.Read(ref _ackWaiter)?.TrySetException(e);
    }

    private void OnRecord(ReadOnlySpan<byte> record, long now)
    {
        var mark = record.IndexOf(Marker);
        if (mark >= 0 && record.Length - mark > 16 && Utf8Parser.TryParse(record.Slice(mark + 1, 16), out long sent, out var used, 'X') && used == 16)
        {
            Volatile.Write(ref _received, _received + 1);
            if (sent >= _window.From && sent <= _window.To)
            {
                (Latency ??= new LatencyHistogram()).Record((long)Stopwatch.GetElapsedTime(sent, now).TotalMicroseconds);
            }

            return;
        }

        if (IsAck(record))
        {
            var acks = Interlocked.Increment(ref _acks);
            if (acks >= Volatile.Read(ref _ackTarget))
            {
                Volatile.Read(ref _ackWaiter)?.TrySetResult();
            }
        }
    }
}
