using System.Net;
using SocketGateway.Core.Events;
using SocketGateway.Core.Limits;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Core.Sessions;

/// <summary>
/// One connected user, whatever the transport. Events reach it through a bounded queue that its transport's
/// writer drains; a full queue means the client stopped reading, and the session is aborted rather than
/// letting it slow anyone else down.
/// </summary>
public sealed partial class ChatSession
{
    private readonly OutboundQueue _outbound = new();
    private CancellationTokenSource? _aborted; // made when a transport first asks for the token
    private Action<ChatSession, object>? _onAbort;
    private object? _onAbortState;
    // Copied on change (rare, always under the chat service's membership lock), so an idle session keeps no list
    // object of its own and readers need no lock.
    private string[] _rooms = [];
    private readonly long _number;
    private readonly IPEndPoint? _remote;
    private readonly TimeProvider _time;
    private int _abortRequested;
    private volatile bool _writerStopped;
    private TaskCompletionSource? _drainWaiter;
    private ITimer? _overflowGrace;

    /// <param name="remote">The client's address and port, formatted only when asked for (an idle session keeps no string).</param>
    internal ChatSession(long number, string via, IPEndPoint? remote, DateTimeOffset connectedAt, QueueLimits queueLimits, MessageBudget budget, TimeProvider time)
    {
        _time = time;
        _number = number;
        _remote = remote;
        Via = via;
        ConnectedAt = connectedAt;
        Budget = budget;
        _limits = queueLimits;
    }

    public string Id => _number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Via { get; }

    /// <summary>The same text on every transport: <c>192.0.2.7:50123</c> or <c>[2001:db8::7]:50123</c>.</summary>
    public string? RemoteAddress => ClientAddress.Format(_remote);

    internal IPEndPoint? RemoteEndPoint => _remote;

    public DateTimeOffset ConnectedAt { get; }

    public string Nick { get; internal set; } = "";

    /// <summary>The account this session signed in as; null for a guest.</summary>
    public Identity.Account? Account { get; internal set; }

    /// <summary>
    /// A connection on a gateway without guests that has not signed in yet: in no room, sent nothing, listed nowhere;
    /// only <c>/auth</c>, <c>/help</c>, <c>/ping</c> and <c>/quit</c> work for it.
    /// </summary>
    public bool AwaitingSignIn { get; internal set; }

    private int _failedSignIns;

    /// <summary>The secret of <c>/resume</c>, once <c>/session</c> asked for it; only then is a dropped session held.</summary>
    internal string? ResumeToken { get; set; }

    /// <summary>The format the line user chose last (<c>/format</c>), which a connection that resumes it takes on.</summary>
    public OutputFormat Format { get; internal set; } = OutputFormat.Text;

    /// <summary>A stand-in holding a dropped session's place (rooms, nick, missed events) until it is resumed or expires.</summary>
    internal bool IsHeld { get; set; }

    internal ITimer? HoldTimer { get; set; }

    /// <summary>
    /// The delivery of this connection's own join of the lobby (through Redis in a cluster): a resume waits for it, so
    /// that the join of its way-in guest cannot arrive after the resumed user has taken the place.
    /// </summary>
    public Task Arrived { get; internal set; } = Task.CompletedTask;

    /// <summary>When another node asked for this held session (a timestamp), 0 when none did.</summary>
    internal long HandoverStarted { get; set; }

    /// <summary>Whether this held session is promised to another node now (for a few seconds after it asked).</summary>
    internal bool IsHandedOver(TimeProvider time) => HandoverStarted != 0 && time.GetElapsedTime(HandoverStarted) < TimeSpan.FromSeconds(10);

    internal bool HasOverflowed => Volatile.Read(ref _overflowed) == 1;

    internal IReadOnlyList<string> BannedFrom => Volatile.Read(ref _bannedFrom);

    // Under the chat service's membership lock: a session taking another's place takes its rooms.
    internal void SetRooms(IReadOnlyList<string> rooms) => Volatile.Write(ref _rooms, [.. rooms]);

    internal void SetBannedFrom(IReadOnlyList<string> rooms) => Volatile.Write(ref _bannedFrom, [.. rooms]);

    /// <summary>Counts a refused token; true once <see cref="ChatService.MaxFailedSignIns"/> is reached (the connection is then cut off).</summary>
    public bool CountFailedSignIn() => Interlocked.Increment(ref _failedSignIns) >= ChatService.MaxFailedSignIns;

    // The rooms an operator banned this guest from by nick; it ends with the connection (accounts are banned by id).
    private string[] _bannedFrom = [];

    internal bool IsBannedFrom(string room) => Volatile.Read(ref _bannedFrom).Contains(room, StringComparer.Ordinal);

    internal void BanFrom(string room) => Volatile.Write(ref _bannedFrom, [.. _bannedFrom, room]);

    public MessageBudget Budget { get; }

    /// <summary>The room a plain line goes to: the one joined or switched to last.</summary>
    public string? CurrentRoom { get; internal set; }

    /// <summary>What the transport's single writer drains.</summary>
    public OutboundReader Outbound => new(this);

    /// <summary>
    /// Cancelled when the session must be dropped (its queue overflowed); the transport closes the socket. Made on
    /// first use: a transport that wants no token source per connection uses <see cref="OnAbort"/>.
    /// </summary>
    public CancellationToken Aborted
    {
        get
        {
            if (Volatile.Read(ref _aborted) is { } existing)
            {
                return existing.Token;
            }

            var made = new CancellationTokenSource();
            var source = Interlocked.CompareExchange(ref _aborted, made, null) ?? made;
            // An abort that ran before the source existed could not cancel it (the exchange above is a full fence).
            if (WasAborted)
            {
                source.Cancel();
            }

            return source.Token;
        }
    }

    /// <summary>
    /// Runs <paramref name="handler"/> once, on the thread pool, when the session is aborted (at once if it already
    /// was): the way to learn of it without a token source. One handler per session.
    /// </summary>
    public void OnAbort(Action<ChatSession, object> handler, object state)
    {
        _onAbortState = state;
        Interlocked.Exchange(ref _onAbort, handler); // a full fence: the check below must not move above it
        if (WasAborted)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.RunAbortHandler(), this, preferLocal: false);
        }
    }

    public bool IsClosed { get; private set; }

    /// <summary>Told that the gateway is stopping (under the chat service's membership lock).</summary>
    internal bool ToldShutdown { get; set; }

    public IReadOnlyList<string> Rooms => Volatile.Read(ref _rooms);

    public void Send(ChatEvent evt) => Deliver(new OutboundEvent(evt));

    /// <summary>Queues an event without waiting; on overflow the member is cut off, never the sender delayed.</summary>
    public void Deliver(OutboundEvent evt)
    {
        if (TryReserve(evt) && _outbound.TryWrite(evt))
        {
            return;
        }

        Release(evt);
        if (!IsClosed)
        {
            Overflow();
        }
    }

    /// <summary>
    /// Completes once this session's own queue holds at most <paramref name="threshold"/> events. A line client
    /// that sends faster than it can take its own echoes waits here (its input is not read) rather than being
    /// disconnected as a slow consumer.
    /// </summary>
    public async ValueTask WaitForOutboundBelowAsync(int threshold, CancellationToken cancellationToken)
    {
        while (MustWaitForDrain(threshold))
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref _drainWaiter, waiter); // a full fence: the checks below must not move above it
            if (!MustWaitForDrain(threshold))
            {
                return;
            }

            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Nothing will drain the queue of a closed or aborted session, or one whose writer stopped.
    private bool MustWaitForDrain(int threshold) => QueuedEvents > threshold && !IsClosed && !WasAborted && !_writerStopped;

    /// <summary>Called by the writer after each batch, to wake a reader waiting for the queue to drain.</summary>
    public void NotifyDrained() => Interlocked.Exchange(ref _drainWaiter, null)?.TrySetResult();

    /// <summary>
    /// Called by the writer when it stops for good (its peer is gone): nothing will drain the queue any more, so a
    /// reader waiting for that goes on, and finds the connection's end.
    /// </summary>
    public void WriterStopped()
    {
        _writerStopped = true;
        NotifyDrained();
    }

    public void Abort()
    {
        if (Interlocked.Exchange(ref _abortRequested, 1) == 0)
        {
            // Cancelling runs the transport's callbacks; keep them off the broadcaster's thread. A reader waiting for
            // the queue to drain would wait forever: the writer of an aborted member stops.
            ThreadPool.UnsafeQueueUserWorkItem(static s =>
            {
                Volatile.Read(ref s._aborted)?.Cancel();
                s.RunAbortHandler();
            }, this, preferLocal: false);
            NotifyDrained();
        }
    }

    public bool WasAborted => Volatile.Read(ref _abortRequested) == 1;

    // Whoever takes the handler runs it: the abort's work item, or OnAbort when the abort came first.
    private void RunAbortHandler()
    {
        if (Interlocked.Exchange(ref _onAbort, null) is { } handler)
        {
            handler(this, _onAbortState!);
        }
    }

    internal void Close()
    {
        IsClosed = true;
        _outbound.TryComplete();
        EndOverflowGrace();
        NotifyDrained();
    }

    // Under the chat service's membership lock, like RemoveRoom.
    internal void AddRoom(string room) => Volatile.Write(ref _rooms, [.. _rooms, room]);

    internal bool RemoveRoom(string room)
    {
        var index = Array.IndexOf(_rooms, room);
        if (index < 0)
        {
            return false;
        }

        Volatile.Write(ref _rooms, [.. _rooms[..index], .. _rooms[(index + 1)..]]);
        if (CurrentRoom == room)
        {
            CurrentRoom = _rooms.Length > 0 ? _rooms[^1] : null;
        }

        return true;
    }

    internal bool IsIn(string room)
    {
        return Array.IndexOf(Volatile.Read(ref _rooms), room) >= 0;
    }
}
