using Microsoft.Extensions.Time.Testing;
using SocketGateway.Core.Limits;

namespace SocketGateway.Core.Tests.Limits;

public sealed class MessageBudgetTests
{
    [Fact]
    public void The_burst_is_available_at_once_then_tokens_come_at_the_rate()
    {
        var time = new FakeTimeProvider();
        var budget = new MessageBudget(rate: 10, burst: 20, time);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(budget.TryTake(out _));
        }

        Assert.False(budget.TryTake(out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(100), retryAfter);

        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(budget.TryTake(out _));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(budget.TryTake(out _));
        Assert.False(budget.TryTake(out _));
    }

    [Fact]
    public void Saved_tokens_never_exceed_the_burst()
    {
        var time = new FakeTimeProvider();
        var budget = new MessageBudget(rate: 10, burst: 3, time);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, Enumerable.Range(0, 10).Count(i => budget.TryTake(out var _)));
    }

    [Fact]
    public void A_rate_of_zero_means_no_limit()
    {
        var budget = new MessageBudget(rate: 0, burst: 1, new FakeTimeProvider());
        Assert.All(Enumerable.Range(0, 1000), i => Assert.True(budget.TryTake(out var _)));
    }

    [Fact]
    public async Task Waiting_resumes_exactly_when_a_token_is_due()
    {
        var time = new FakeTimeProvider();
        var budget = new MessageBudget(rate: 2, burst: 1, time);
        Assert.True(budget.TryTake(out _));
        var wait = budget.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
