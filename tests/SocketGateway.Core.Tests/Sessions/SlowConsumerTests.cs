using Microsoft.Extensions.Time.Testing;
using SocketGateway.Core.Events;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core.Tests.Sessions;

public sealed class SlowConsumerTests
{
    private static ChatSession Connect(GatewayLimits limits) => TestChat.Create(limits).Connect(Via.Tcp, remote: null);

    [Fact]
    public async Task A_full_queue_tells_the_member_why_then_cuts_it_off()
    {
        var session = Connect(new GatewayLimits { OutboundQueueLength = 5, OutboundQueueBytes = 0 });
        for (var i = 0; i < 10; i++)
        {
            session.Send(new InfoEvent($"event {i}"));
        }

        var events = TestChat.Drain(session);
        Assert.Equal(6, events.Count); // welcome, joined lobby, 3 infos, then the reason
        var reason = Assert.IsType<ErrorEvent>(events[^1]);
        Assert.Equal(ErrorCodes.RateLimited, reason.Code);
        Assert.Equal(0, session.QueuedEvents);

        session.Send(new InfoEvent("too late"));
        Assert.Empty(TestChat.Drain(session));
        await Task.Delay(Timeout.Infinite, session.Aborted).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(session.WasAborted);
    }

    [Fact]
    public void The_socket_of_an_overflowing_member_is_cut_after_the_grace_on_the_gateway_s_clock()
    {
        var clock = new FakeTimeProvider();
        var session = TestChat.Create(new GatewayLimits { OutboundQueueLength = 5, OutboundQueueBytes = 0 }, clock).Connect(Via.Tcp, remote: null);
        for (var i = 0; i < 10; i++)
        {
            session.Send(new InfoEvent($"event {i}"));
        }

        clock.Advance(ChatSession.OverflowGrace - TimeSpan.FromMilliseconds(1));
        Assert.False(session.WasAborted); // it still has a moment to read why
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(session.WasAborted);
    }

    [Fact]
    public void A_member_that_leaves_during_its_grace_is_let_go_at_once_with_its_full_queue()
    {
        var clock = new FakeTimeProvider();
        var chat = TestChat.Create(new GatewayLimits { OutboundQueueLength = 5, OutboundQueueBytes = 0 }, clock);
        var session = OverflowAndLeave(chat);

        // The grace timer went with the member: nothing of the gateway holds the session any more.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
        Assert.False(session.IsAlive);
    }

    // Apart, so that no local of the test keeps the session reachable.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference OverflowAndLeave(ChatService chat)
    {
        var session = chat.Connect(Via.Tcp, remote: null);
        for (var i = 0; i < 10; i++)
        {
            session.Send(new InfoEvent($"event {i}"));
        }

        chat.Disconnect(session, "disconnected");
        return new WeakReference(session);
    }

    [Fact]
    public async Task A_reader_waiting_for_its_queue_to_drain_goes_on_when_the_writer_stops_for_good()
    {
        var session = Connect(new GatewayLimits { OutboundQueueLength = 100, OutboundQueueBytes = 0 });
        for (var i = 0; i < 20; i++)
        {
            session.Send(new InfoEvent($"event {i}"));
        }

        var wait = session.WaitForOutboundBelowAsync(5, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        session.WriterStopped();
        await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void The_byte_bound_counts_what_waits_and_frees_what_was_read()
    {
        var session = Connect(new GatewayLimits { OutboundQueueLength = 1000, OutboundQueueBytes = 10_000 });
        TestChat.Drain(session);
        var big = new string('x', 1000);
        for (var i = 0; i < 4; i++)
        {
            session.Send(new InfoEvent("small"));
            session.Send(new MessageEvent(MessageKinds.Message, i, "lobby", "a", big, DateTimeOffset.UnixEpoch, Via.Tcp));
        }

        Assert.True(session.QueuedBytes is > 8000 and <= 10_000, $"{session.QueuedBytes} bytes queued");
        TestChat.Drain(session);
        Assert.Equal(0, session.QueuedBytes);

        for (var i = 0; i < 6; i++)
        {
            session.Send(new MessageEvent(MessageKinds.Message, i, "lobby", "a", big, DateTimeOffset.UnixEpoch, Via.Tcp));
        }

        Assert.IsType<ErrorEvent>(TestChat.Drain(session)[^1]);
    }

    [Fact]
    public async Task An_abort_handler_runs_once_whether_set_before_or_after_the_abort()
    {
        var before = Connect(new GatewayLimits());
        var beforeRuns = 0;
        var beforeRan = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        before.OnAbort((session, state) =>
        {
            Interlocked.Increment(ref beforeRuns);
            beforeRan.TrySetResult(state);
        }, "state");
        before.Abort();
        before.Abort();
        Assert.Equal("state", await beforeRan.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        var after = Connect(new GatewayLimits());
        after.Abort();
        var afterRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        after.OnAbort((_, _) => afterRan.TrySetResult(), "state");
        await afterRan.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // A token asked for after the abort is already cancelled.
        Assert.True(after.Aborted.IsCancellationRequested);
        Assert.Equal(1, Volatile.Read(ref beforeRuns));
    }
}
