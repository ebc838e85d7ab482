using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core.Tests.Sessions;

public sealed class OutboundQueueTests
{
    private static OutboundEvent Info(int i) => new(new InfoEvent(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static string Text(OutboundEvent evt) => ((InfoEvent)evt.Event).Text;

    [Fact]
    public void Events_come_out_in_order_across_growth_and_wrap_around()
    {
        var queue = new OutboundQueue();
        var expected = 0;
        var next = 0;
        // Interleaved writes and reads make the ring wrap while it grows.
        for (var round = 0; round < 50; round++)
        {
            for (var i = 0; i < round % 7 + 1; i++)
            {
                Assert.True(queue.TryWrite(Info(next++)));
            }

            for (var i = 0; i < round % 5 && queue.TryRead(out var evt); i++)
            {
                Assert.Equal((expected++).ToString(System.Globalization.CultureInfo.InvariantCulture), Text(evt));
            }
        }

        while (queue.TryRead(out var evt))
        {
            Assert.Equal((expected++).ToString(System.Globalization.CultureInfo.InvariantCulture), Text(evt));
        }

        Assert.Equal(next, expected);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void A_member_that_gets_one_event_at_a_time_allocates_nothing_per_event()
    {
        var queue = new OutboundQueue();
        var evt = Info(1);
        queue.TryWrite(evt);
        queue.TryRead(out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            queue.TryWrite(evt);
            queue.TryRead(out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task A_pending_wait_completes_on_write_and_ends_false_after_completion_and_drain()
    {
        var queue = new OutboundQueue();
        var wait = queue.WaitToReadAsync(CancellationToken.None);
        Assert.False(wait.IsCompleted);
        queue.TryWrite(Info(1));
        Assert.True(await wait);

        Assert.True(queue.TryComplete());
        Assert.False(queue.TryWrite(Info(2)));
        Assert.True(await queue.WaitToReadAsync(CancellationToken.None)); // what was queued is still read
        Assert.True(queue.TryRead(out _));
        Assert.False(await queue.WaitToReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Completing_wakes_a_pending_wait_with_false()
    {
        var queue = new OutboundQueue();
        var wait = queue.WaitToReadAsync(CancellationToken.None);
        queue.TryComplete();
        Assert.False(await wait);
    }

    [Fact]
    public async Task A_cancelled_wait_throws_and_the_next_wait_still_works()
    {
        var queue = new OutboundQueue();
        using var cts = new CancellationTokenSource();
        var wait = queue.WaitToReadAsync(cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);

        var again = queue.WaitToReadAsync(cts.Token);
        Assert.True(again.IsCanceled);

        var next = queue.WaitToReadAsync(CancellationToken.None);
        queue.TryWrite(Info(1));
        Assert.True(await next);
    }

    [Fact]
    public async Task Many_writers_one_reader_every_event_arrives_once_in_each_writer_s_order()
    {
        const int writers = 4;
        const int perWriter = 20_000;
        var queue = new OutboundQueue();
        var events = Enumerable.Range(0, writers).Select(w => Enumerable.Range(0, perWriter)
            .Select(i => new OutboundEvent(new InfoEvent($"{w}:{i}"))).ToArray()).ToArray();
        var reader = Task.Run(async () =>
        {
            var lastSeen = Enumerable.Repeat(-1, writers).ToArray();
            var count = 0;
            while (await queue.WaitToReadAsync(CancellationToken.None))
            {
                while (queue.TryRead(out var evt))
                {
                    var parts = Text(evt).Split(':');
                    var (w, i) = (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
                    Assert.Equal(lastSeen[w] + 1, i);
                    lastSeen[w] = i;
                    count++;
                }
            }

            return count;
        });

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            foreach (var evt in events[w])
            {
                Assert.True(queue.TryWrite(evt));
            }
        })));
        queue.TryComplete();
        Assert.Equal(writers * perWriter, await reader.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_frameless_wait_queues_its_callback_once_on_write()
    {
        var queue = new OutboundQueue();
        var callback = new CountingWorkItem();
        Assert.Equal(QueueReadiness.Waiting, queue.NotifyWhenReadable(callback));
        Assert.Equal(0, callback.Runs);

        queue.TryWrite(Info(1));
        queue.TryWrite(Info(2));
        await callback.FirstRun.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(QueueReadiness.Readable, queue.NotifyWhenReadable(callback));
        Assert.True(queue.TryRead(out var first));
        Assert.Equal("1", Text(first));
        Assert.True(queue.TryRead(out _));
        Assert.Equal(1, callback.Runs);
    }

    [Fact]
    public async Task A_frameless_wait_is_woken_by_completion_then_sees_completed()
    {
        var queue = new OutboundQueue();
        var callback = new CountingWorkItem();
        Assert.Equal(QueueReadiness.Waiting, queue.NotifyWhenReadable(callback));
        queue.TryComplete();
        await callback.FirstRun.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(QueueReadiness.Completed, queue.NotifyWhenReadable(callback));
    }

    [Fact]
    public async Task A_write_racing_the_frameless_reader_s_wait_is_never_stranded_and_the_reader_never_runs_twice()
    {
        // In lock step: each event is written only once the reader has taken the one before, so every write lands
        // somewhere in the reader's drain-then-wait, many of them between its last read and its wait. Each must
        // either be seen by that wait (Readable) or wake it, and no wake-up may start a second copy of a running reader.
        const int events = 20_000;
        var queue = new OutboundQueue();
        var reader = new DrainingWorkItem(queue);
        Assert.Equal(QueueReadiness.Waiting, queue.NotifyWhenReadable(reader));

        await Task.Run(() =>
        {
            for (var i = 0; i < events; i++)
            {
                Assert.True(queue.TryWrite(Info(i)));
                var spin = new SpinWait();
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while (reader.Read <= i)
                {
                    Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"event {i} was written but never read: the reader missed its wake-up");
                    spin.SpinOnce();
                }
            }
        });

        queue.TryComplete();
        Assert.Equal(events, await reader.Finished.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, reader.Overlaps);
    }

    [Fact]
    public void A_frameless_wait_and_an_awaited_wait_are_one_reader()
    {
        var queue = new OutboundQueue();
        var pending = queue.WaitToReadAsync(CancellationToken.None);
        Assert.False(pending.IsCompleted);
        Assert.Throws<InvalidOperationException>(() => queue.NotifyWhenReadable(new CountingWorkItem()));
        queue.TryComplete();
    }

    /// <summary>A frameless reader like a transport's writer: drains until the queue is empty, then waits again.</summary>
    private sealed class DrainingWorkItem(OutboundQueue queue) : IThreadPoolWorkItem
    {
        private readonly TaskCompletionSource<int> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _running;
        private int _overlaps;
        private int _read;

        public Task<int> Finished => _finished.Task;

        public int Read => Volatile.Read(ref _read);

        public int Overlaps => Volatile.Read(ref _overlaps);

        public void Execute()
        {
            while (true)
            {
                Enter();
                while (queue.TryRead(out _))
                {
                    Interlocked.Increment(ref _read);
                }

                // From the moment the wait is registered another run may start: this one touches nothing after it.
                Volatile.Write(ref _running, 0);
                var readiness = queue.NotifyWhenReadable(this);
                if (readiness == QueueReadiness.Completed)
                {
                    _finished.TrySetResult(_read);
                }

                if (readiness != QueueReadiness.Readable)
                {
                    return;
                }
            }
        }

        private void Enter()
        {
            if (Interlocked.Exchange(ref _running, 1) != 0)
            {
                Interlocked.Increment(ref _overlaps);
            }
        }
    }

    private sealed class CountingWorkItem : IThreadPoolWorkItem
    {
        private readonly TaskCompletionSource _firstRun = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public Task FirstRun => _firstRun.Task;

        public void Execute()
        {
            Interlocked.Increment(ref _runs);
            _firstRun.TrySetResult();
        }
    }
}
