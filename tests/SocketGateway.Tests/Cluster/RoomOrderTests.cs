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
        void Offer(long place) => order.Offer(place, new InfoEvent($"e{place}"), epoch: 0, now: 1, (_, e) => delivered.Add(((InfoEvent)e).Text));

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
            order.Offer(place, new InfoEvent($"e{place}"), epoch, now, (_, e) => delivered.Add(((InfoEvent)e).Text));

        Offer(1, epoch: 0, now: 100);
        Offer(3, epoch: 0, now: 100);
        Offer(4, epoch: 0, now: 101);
        order.SkipGapOlderThan(cutoff: 99, (_, e) => delivered.Add(((InfoEvent)e).Text));
        Assert.Equal(["e1"], delivered);
        order.SkipGapOlderThan(cutoff: 100, (_, e) => delivered.Add(((InfoEvent)e).Text));
        Assert.Equal(["e1", "e3", "e4"], delivered);

        // Redis came back (perhaps empty): whatever comes first in the new epoch is taken, even a lower place.
        Offer(6, epoch: 0, now: 200);
        Offer(2, epoch: 1, now: 201);
        Offer(3, epoch: 1, now: 201);
        Assert.Equal(["e1", "e3", "e4", "e6", "e2", "e3"], delivered);
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
