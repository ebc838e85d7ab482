namespace SocketGateway.Core.Storage;

/// <summary>
/// Hands out message ids: one increasing sequence per gateway node, so ids increase within every room and are
/// never reused, even for a room closed and created again. Ids come in blocks reserved in the store before any of
/// them is handed out, so after a crash the sequence resumes past every id a client may have seen. The next block
/// is fetched on the thread pool once half of the current one is used, so <see cref="Next"/>, which runs under a
/// room's send gate, normally never waits for the store.
/// </summary>
public sealed class MessageIdAllocator(IChatStore store, TimeProvider time, int blockSize = 1000) : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    // How long Next waits for a late block from a store that has not failed before it treats the store as failing.
    // Real time: the wait blocks a thread (Monitor.Wait), and the store's own timeouts end it much sooner.
    private static readonly TimeSpan LateBlockLimit = TimeSpan.FromSeconds(5);

    private readonly object _gate = new(); // a Monitor: Next waits on it for a late block
    private readonly CancellationTokenSource _stop = new();
    private long _last;      // the last id handed out
    private long _through;   // the end of the reserved block being handed out
    private long _nextFirst; // the block fetched ahead, 0 while there is none
    private long _nextThrough;
    private bool _fetching;
    private bool _storeFailing; // the last reservation failed (or a late block was waited out): carry on past the block

    public MessageIdAllocator(IChatStore store)
        : this(store, TimeProvider.System)
    {
    }

    /// <summary>Reserves the first block, above <paramref name="highWaterMark"/> (what the store held at open).</summary>
    public async Task StartAsync(long highWaterMark, CancellationToken cancellationToken)
    {
        var through = await store.ReserveMessageIdsAsync(highWaterMark, blockSize, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _through = through;
            _last = through - blockSize;
        }
    }

    /// <summary>The highest id this allocator handed out or holds reserved: a cluster's counter is raised above it.</summary>
    public long Highest
    {
        get
        {
            lock (_gate)
            {
                return Math.Max(_last, _through);
            }
        }
    }

    /// <summary>
    /// The next id above <paramref name="floor"/> too: a cluster node that lost Redis numbers its own messages from
    /// here, above every id Redis gave out that it has seen (its block is then reserved above them).
    /// </summary>
    public long NextAbove(long floor)
    {
        lock (_gate)
        {
            _last = Math.Max(_last, floor);
            return Next();
        }
    }

    public long Next()
    {
        lock (_gate)
        {
            var waitedSince = 0L;
            while (_last >= _through && !_storeFailing)
            {
                if (_nextFirst != 0)
                {
                    TakeNextBlock();
                    continue;
                }

                // Used up before the next block came from a healthy store (a flood of more than half a block within
                // one reservation): wait for it, rather than hand out an id that a crash could give out again.
                FetchAhead();
                waitedSince = waitedSince == 0 ? time.GetTimestamp() : waitedSince;
                var left = LateBlockLimit - time.GetElapsedTime(waitedSince);
                if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left))
                {
                    _storeFailing = true;
                }
            }

            // Past the block while the store fails: chat goes on with the ids that follow, and the reservation being
            // retried starts above them (FetchAheadAsync). Only a crash before it succeeds can repeat those ids. Right
            // for one node; with several sharing a database they may be another node's (STORAGE.md, "Two nodes").
            var id = ++_last;
            if (_nextFirst == 0 && _through - _last < blockSize / 2)
            {
                FetchAhead();
            }

            return id;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    // Under _gate.
    private void FetchAhead()
    {
        if (!_fetching)
        {
            _fetching = true;
            _ = Task.Run(FetchAheadAsync, CancellationToken.None);
        }
    }

    // Under _gate. Ids handed out past the old block while the store was failing may lie inside the new one (it was
    // reserved above them only if they came before the request), so the new block continues after them.
    private void TakeNextBlock()
    {
        if (_nextThrough > _last)
        {
            _last = Math.Max(_last, _nextFirst - 1);
            _through = _nextThrough;
        }

        _nextFirst = 0;
        _nextThrough = 0;
    }

    private async Task FetchAheadAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            long after;
            lock (_gate)
            {
                after = Math.Max(_last, _through);
            }

            try
            {
                var through = await store.ReserveMessageIdsAsync(after, blockSize, stop).ConfigureAwait(false);
                lock (_gate)
                {
                    _nextFirst = through - blockSize + 1;
                    _nextThrough = through;
                    _fetching = false;
                    _storeFailing = false;
                    Monitor.PulseAll(_gate);
                }

                return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The store reports its own failures (health, log); the reservation is simply retried.
            catch (Exception)
#pragma warning restore CA1031
            {
                lock (_gate)
                {
                    _storeFailing = true;
                    Monitor.PulseAll(_gate);
                }

                await Task.Delay(RetryDelay, time, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
