using Microsoft.Extensions.Time.Testing;
using SocketGateway.Core.Limits;

namespace SocketGateway.Core.Tests.Limits;

public sealed class InputDeadlineTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public void Exactly_at_the_limit_is_in_time_and_one_tick_past_is_expired()
    {
        var time = new FakeTimeProvider();
        var deadline = new InputDeadline(Limit, time);
        Assert.False(deadline.IsRunning);
        deadline.Start();
        time.Advance(Limit);
        Assert.False(deadline.IsExpired);
        Assert.Equal(TimeSpan.FromTicks(1), deadline.Remaining);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(deadline.IsExpired);
    }

    [Fact]
    public void Start_keeps_the_first_stamp_and_clear_resets_it()
    {
        var time = new FakeTimeProvider();
        var deadline = new InputDeadline(Limit, time);
        deadline.Start();
        time.Advance(TimeSpan.FromSeconds(20));
        deadline.Start(); // more bytes of the same line do not extend the deadline
        time.Advance(TimeSpan.FromSeconds(10) + TimeSpan.FromTicks(1));
        Assert.True(deadline.IsExpired);

        deadline.Clear();
        Assert.False(deadline.IsExpired);
        Assert.Null(deadline.Remaining);
        deadline.Start();
        time.Advance(Limit);
        Assert.False(deadline.IsExpired);
    }

    [Fact]
    public void A_zero_limit_never_runs()
    {
        var time = new FakeTimeProvider();
        var deadline = new InputDeadline(TimeSpan.Zero, time);
        deadline.Start();
        time.Advance(TimeSpan.FromDays(1));
        Assert.False(deadline.IsRunning);
        Assert.False(deadline.IsExpired);
    }
}
