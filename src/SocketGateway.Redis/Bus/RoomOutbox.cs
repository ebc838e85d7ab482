using SocketGateway.Core.Events;

namespace SocketGateway.Redis.Bus;

/// <summary>
/// One room's events this node has published but Redis has not numbered yet. While one script call for the room is
/// on its way, later events gather here and go together in the next call: under load one round trip numbers and
/// publishes many events, and a quiet room's event goes at once (no timer, no waiting for company). One call per room
/// at a time also keeps this node's events of a room in the order they were published.
/// </summary>
internal sealed class RoomOutbox(string room)
{
    private readonly Lock _gate = new();
    private List<PendingEvent> _queue = [];
    private bool _sending;

    public string Room { get; } = room;

    /// <summary>Whether no call is on its way and nothing waits (an event may then skip the outbox).</summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return !_sending;
            }
        }
    }

    /// <summary>Queues <paramref name="pending"/>; true when the caller is to start sending (no call was on its way).</summary>
    public bool Add(PendingEvent pending)
    {
        lock (_gate)
        {
            _queue.Add(pending);
            if (_sending)
            {
                return false;
            }

            _sending = true;
            return true;
        }
    }

    /// <summary>The next batch, oldest first, up to the limits (one event at least); null when none waits, and sending stops.</summary>
    public List<PendingEvent>? Take(int maxEvents, int maxBytes)
    {
        lock (_gate)
        {
            if (_queue.Count == 0)
            {
                _sending = false;
                return null;
            }

            var count = 0;
            var bytes = 0;
            while (count < _queue.Count && count < maxEvents && (count == 0 || bytes + _queue[count].Json.Length <= maxBytes))
            {
                bytes += _queue[count].Json.Length + 1;
                count++;
            }

            if (count == _queue.Count)
            {
                var all = _queue;
                _queue = [];
                return all;
            }

            var batch = _queue.GetRange(0, count);
            _queue.RemoveRange(0, count);
            return batch;
        }
    }
}

/// <summary>An event waiting in a <see cref="RoomOutbox"/>, its wire form, and whoever waits for its publication.</summary>
internal readonly record struct PendingEvent(ChatEvent Event, byte[] Json, TaskCompletionSource<MessageEvent>? MessageDone, TaskCompletionSource? EventDone)
{
    public bool IsMessage => Event is MessageEvent;

    /// <summary>Tells the publisher that the event went out, numbered as <paramref name="published"/>.</summary>
    public void Complete(ChatEvent published)
    {
        if (published is MessageEvent message)
        {
            MessageDone?.TrySetResult(message);
        }

        EventDone?.TrySetResult();
    }
}
