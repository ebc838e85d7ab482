using System.Text;
using SocketGateway.Core.Events;
using SocketGateway.Redis.Bus;

namespace SocketGateway.Tests.Cluster;

/// <summary>
/// How a node puts a room's events back in the room's order when its own (script replies) and the others' (the
/// subscription) cross, and the frame every node reads.
/// </summary>
public sealed class RoomOrderTests
{
    [Fact]
    public void Events_that_arrive_ahead_of_their_predecessor_wait_for_it_and_old_ones_are_dropped()
    {
        var order = new RoomOrder("dev");
        var delivered = new List<string>();
        // Each event is handed on with its own place, a follower released by its predecessor too.
        void Offer(long place) => order.Offer(place, new InfoEvent($"e{place}"), epoch: 0, now: 1, (_, e, at) =>
        {
            Assert.Equal($"e{at}", ((InfoEvent)e).Text);
            delivered.Add(((InfoEvent)e).Text);
        });

        Offer(5); // the first known place sets where the room's order starts here
        Offer(7);
        Offer(8);
        Assert.Equal(["e5"], delivered);
        Offer(6);
        Assert.Equal(["e5", "e6", "e7", "e8"], delivered);
        Offer(6); // an echo or a replay after a reconnect
        Offer(4);
        Assert.Equal(4, delivered.Count);
    }

    [Fact]
    public void A_predecessor_that_never_comes_is_given_up_on_after_the_gap_limit_and_a_reconnect_starts_afresh()
    {
        var order = new RoomOrder("dev");
        var delivered = new List<string>();
        void Offer(long place, int epoch, long now) =>
            order.Offer(place, new InfoEvent($"e{place}"), epoch, now, (_, e, _) => delivered.Add(((InfoEvent)e).Text));

        Offer(1, epoch: 0, now: 100);
        Offer(3, epoch: 0, now: 100);
        Offer(4, epoch: 0, now: 101);
        order.SkipGapOlderThan(cutoff: 99, (_, e, _) => delivered.Add(((InfoEvent)e).Text));
        Assert.Equal(["e1"], delivered);
        order.SkipGapOlderThan(cutoff: 100, (_, e, _) => delivered.Add(((InfoEvent)e).Text));
        Assert.Equal(["e1", "e3", "e4"], delivered);

        // Redis came back (perhaps empty): whatever comes first in the new epoch is taken, even a lower place.
        Offer(6, epoch: 0, now: 200);
        Offer(2, epoch: 1, now: 201);
        Offer(3, epoch: 1, now: 201);
        Assert.Equal(["e1", "e3", "e4", "e6", "e2", "e3"], delivered);
    }

    [Fact]
    public void An_unreadable_event_fills_its_place_so_the_room_does_not_wait_for_it()
    {
        var order = new RoomOrder("dev");
        var delivered = new List<string>();
        void Offer(long place, ChatEvent? evt) => order.Offer(place, evt, epoch: 0, now: 1, (_, e, _) => delivered.Add(((InfoEvent)e).Text));

        Offer(1, new InfoEvent("e1"));
        Offer(3, new InfoEvent("e3"));
        Offer(2, null);
        Offer(4, new InfoEvent("e4"));
        Assert.Equal(["e1", "e3", "e4"], delivered);
    }

    [Fact]
    public void An_outbox_sends_one_call_at_a_time_and_gathers_what_comes_meanwhile_within_its_limits()
    {
        var outbox = new RoomOutbox("dev");
        PendingEvent Event(int bytes) => new(new InfoEvent("x"), new byte[bytes], null, null);

        Assert.True(outbox.IsIdle);
        Assert.True(outbox.Add(Event(10))); // nothing on its way: the caller starts sending
        Assert.False(outbox.IsIdle);
        Assert.Single(outbox.Take(maxEvents: 8, maxBytes: 100)!);
        Assert.False(outbox.Add(Event(10))); // a call is on its way: these wait for the next
        Assert.False(outbox.Add(Event(10)));
        Assert.False(outbox.Add(Event(90)));
        Assert.False(outbox.Add(Event(500))); // larger than the byte limit alone: still taken, by itself
        Assert.Equal(2, outbox.Take(maxEvents: 8, maxBytes: 100)!.Count); // 10 + 10 bytes; 90 more would pass 100
        Assert.Single(outbox.Take(maxEvents: 8, maxBytes: 100)!);
        Assert.Single(outbox.Take(maxEvents: 8, maxBytes: 100)!);
        Assert.Null(outbox.Take(maxEvents: 8, maxBytes: 100));
        Assert.True(outbox.IsIdle);
        Assert.True(outbox.Add(Event(10)));
    }

    [Fact]
    public void A_frame_is_read_back_with_its_json_whole_and_a_malformed_one_is_refused()
    {
        var json = """{"type":"info","text":"a b  c"}""";
        Assert.True(BusFrame.TryRead(Encoding.UTF8.GetBytes($"0a1b 12 345 dev {json}"), out var frame));
        Assert.Equal("0a1b", Encoding.ASCII.GetString(frame.Origin));
        Assert.Equal(12, frame.Place);
        Assert.Equal(345, frame.Id);
        Assert.Equal("dev", Encoding.UTF8.GetString(frame.Target));
        Assert.Equal(json, Encoding.UTF8.GetString(frame.Json));

        var written = BusFrame.Write("0a1b", "alice", Encoding.UTF8.GetBytes(json));
        Assert.True(BusFrame.TryRead(written, out var toUser));
        Assert.Equal("alice", Encoding.UTF8.GetString(toUser.Target));
        Assert.Equal(0, toUser.Place);

        foreach (var bad in new[] { "", "0a1b 12 345", "0a1b x 345 dev {}", "0a1b 12 -x dev {}", " 12 345 dev {}", "0a1b 12 345  {}" })
        {
            Assert.False(BusFrame.TryRead(Encoding.UTF8.GetBytes(bad), out _), bad);
        }
    }
}
