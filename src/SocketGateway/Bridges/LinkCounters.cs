namespace SocketGateway.Bridges;

/// <summary>What went through a bridge or device link, across its reconnects; written by its two loops, read by the API.</summary>
public sealed class LinkCounters
{
    private long _bytesIn;
    private long _bytesOut;
    private long _framesIn;
    private long _framesOut;
    private long _skipped;

    public long BytesIn => Interlocked.Read(ref _bytesIn);

    public long BytesOut => Interlocked.Read(ref _bytesOut);

    /// <summary>Frames read from the far side, relayed or not.</summary>
    public long FramesIn => Interlocked.Read(ref _framesIn);

    public long FramesOut => Interlocked.Read(ref _framesOut);

    /// <summary>Frames read but not relayed: not UTF-8, too long, empty, or refused by the room.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    public void Read(long bytes) => Interlocked.Add(ref _bytesIn, bytes);

    public void FrameIn() => Interlocked.Increment(ref _framesIn);

    public void Skip() => Interlocked.Increment(ref _skipped);

    public void FrameOut(long bytes)
    {
        Interlocked.Increment(ref _framesOut);
        Interlocked.Add(ref _bytesOut, bytes);
    }
}
