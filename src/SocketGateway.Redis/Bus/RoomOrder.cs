using SocketGateway.Core.Events;

namespace SocketGateway.Redis.Bus;

/// <summary>
/// One room's events on one node, handed on in the room's order: each event carries its place (the room's sequence
/// number from Redis), and one that arrives ahead of its predecessor waits for it. A node's own events come back
/// from Redis as script replies, the others' over the subscription connection, so the two can cross; this puts
/// them back in order. A predecessor that never comes (lost while the subscription was down) is given up on after
/// <see cref="RedisMessageBus.GapLimit"/>, and after a reconnect the order starts again from whatever comes first.
/// </summary>
internal sealed class RoomOrder(string room)
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, ChatEvent?> _ahead = [];
    private long _delivered; // the last place handed on; 0 while not known (a new room here, or after a reconnect)
    private int _epoch;
    private long _heldSince; // when the oldest waiting event started waiting (a timestamp), 0 when none waits

    public string Room { get; } = room;

    /// <summary>
    /// Hands <paramref name="evt"/> on (under this room's lock), or keeps it until its predecessor has been. A null
    /// event fills its place without a delivery (one that came but could not be read), so the room does not wait for it.
    /// </summary>
    public void Offer(long place, ChatEvent? evt, int epoch, long now, Action<string, ChatEvent, long> deliver)
    {
        lock (_gate)
        {
            if (epoch != _epoch)
            {
                // Redis was away: what waits is handed on as it is, and the room's order is taken up afresh.
                HandOnAll(deliver);
                _delivered = 0;
                _epoch = epoch;
            }

            if (_delivered != 0 && place <= _delivered)
            {
                return;
            }

            if (_delivered == 0 || place == _delivered + 1)
            {
                if (evt is not null)
                {
                    deliver(Room, evt, place);
                }

                _delivered = place;
                HandOnFollowers(deliver, now);
                return;
            }

            _ahead[place] = evt;
            if (_heldSince == 0)
            {
                _heldSince = now;
            }
        }
    }

    /// <summary>Gives up on a predecessor that kept the room waiting since <paramref name="cutoff"/> or before.</summary>
    public void SkipGapOlderThan(long cutoff, Action<string, ChatEvent, long> deliver)
    {
        lock (_gate)
        {
            if (_heldSince != 0 && _heldSince <= cutoff)
            {
                HandOnAll(deliver);
            }
        }
    }

    private void HandOnFollowers(Action<string, ChatEvent, long> deliver, long now)
    {
        if (_ahead.Count == 0)
        {
            return;
        }

        while (_ahead.Remove(_delivered + 1, out var next))
        {
            if (next is not null)
            {
                deliver(Room, next, _delivered + 1);
            }

            _delivered++;
        }

        _heldSince = _ahead.Count == 0 ? 0 : now;
    }

    private void HandOnAll(Action<string, ChatEvent, long> deliver)
    {
        foreach (var (place, evt) in _ahead)
        {
            if (evt is not null)
            {
                deliver(Room, evt, place);
            }

            _delivered = place;
        }

        _ahead.Clear();
        _heldSince = 0;
    }
}
