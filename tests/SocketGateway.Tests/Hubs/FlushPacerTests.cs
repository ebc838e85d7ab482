using Microsoft.Extensions.Time.Testing;
using SocketGateway.Hubs;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Hubs;

/// <summary>The clock that paces writes to busy browsers: it must always come round, and never when off.</summary>
public sealed class FlushPacerTests
{
    [Fact]
    public void With_no_interval_there_is_no_wait()
    {
        using var pacer = new FlushPacer(TimeSpan.Zero, TimeProvider.System);
        Assert.True(pacer.NextTickAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Every_waiter_of_a_tick_is_released_and_the_clock_restarts_after_an_idle_period()
    {
        var time = new FakeTimeProvider();
        using var pacer = new FlushPacer(TimeSpan.FromMilliseconds(30), time);
        var waiters = Enumerable.Range(0, 100).Select(_ => pacer.NextTickAsync()).ToArray();
        Assert.DoesNotContain(waiters, w => w.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(30));
        await Task.WhenAll(waiters).WaitAsync(Timeouts.Step);

        // A whole period with nobody waiting stops the clock; the next waiter must start it again.
        time.Advance(TimeSpan.FromMilliseconds(30));
        time.Advance(TimeSpan.FromMilliseconds(30));
        var next = pacer.NextTickAsync();
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(30));
        await next.WaitAsync(Timeouts.Step);
    }

    [Fact]
    public async Task A_waiter_that_comes_during_a_period_is_released_by_the_next_tick_not_later()
    {
        var time = new FakeTimeProvider();
        using var pacer = new FlushPacer(TimeSpan.FromMilliseconds(30), time);
        var first = pacer.NextTickAsync();
        time.Advance(TimeSpan.FromMilliseconds(20));
        var second = pacer.NextTickAsync();
        time.Advance(TimeSpan.FromMilliseconds(10));
        await Task.WhenAll(first, second).WaitAsync(Timeouts.Step);
    }

    [Fact]
    public async Task Disposing_releases_a_waiter()
    {
        var pacer = new FlushPacer(TimeSpan.FromHours(1), TimeProvider.System);
        var waiter = pacer.NextTickAsync();
        pacer.Dispose();
        await waiter.WaitAsync(Timeouts.Step);
    }
}
