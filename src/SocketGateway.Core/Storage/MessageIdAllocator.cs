namespace SocketGateway.Core.Storage;

/// <summary>
/// Hands out message ids: one increasing sequence for the whole gateway, so ids increase within every room and
/// are never reused, even for a room closed and created again. Ids are reserved in the store a block ahead of
/// use, so after a crash the sequence resumes past every id a client may have seen.
/// </summary>
public sealed class MessageIdAllocator(IChatStore store, int blockSize = 1000)
{
    private readonly Lock _reserveGate = new();
    private long _last;
    private long _reserved;

    public void Start(long highWaterMark)
    {
        _last = highWaterMark;
        _reserved = highWaterMark;
    }

    public long Next()
    {
        var id = Interlocked.Increment(ref _last);
        if (id > Volatile.Read(ref _reserved))
        {
            lock (_reserveGate)
            {
                if (id > _reserved)
                {
                    var through = id + blockSize - 1;
                    store.ReserveMessageIds(through);
                    Volatile.Write(ref _reserved, through);
                }
            }
        }

        return id;
    }
}
