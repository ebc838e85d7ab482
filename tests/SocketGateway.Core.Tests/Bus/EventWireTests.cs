using System.Text;
using System.Text.Json;
using SocketGateway.Core.Bus;
using SocketGateway.Core.Events;

namespace SocketGateway.Core.Tests.Bus;

public sealed class EventWireTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 23, 59, 1, 234, TimeSpan.Zero);

    public static TheoryData<ChatEvent> EventsBetweenNodes() =>
    [
        new MessageEvent(MessageKinds.Message, 42, "lobby", "alice", "héllo ✓ \"quoted\" \n<b>", At, "tcp"),
        new MessageEvent(MessageKinds.Action, 43, "lobby", "bob", "waves", At, "signalr"),
        new JoinedEvent("dev", "carol", "ws"),
        new LeftEvent("dev", "carol", LeftReasons.Kicked, "spam"),
        new LeftEvent("dev", "dave", LeftReasons.Disconnected),
        new PrivateEvent("alice", "bob", "psst", At),
        new NickEvent("lobby", "guest-1a2b", "erin"),
        new TopicEvent("dev", "releases on Friday"),
        new TopicEvent("dev", null),
        new RoomClosedEvent("old", "moving to dev"),
        new RoomUpdatedEvent("dev", "t", 3, 50, At),
        new RoomOpenedEvent("dev", "t", 50, At),
        new InfoEvent("server shutting down"),
        new ErrorEvent("nick_taken", "erin is taken"),
    ];

    [Theory]
    [MemberData(nameof(EventsBetweenNodes))]
    public void Every_event_a_bus_carries_comes_back_as_it_was_sent(ChatEvent evt)
    {
        Assert.True(EventWire.Carries(evt));
        Assert.Equal(evt, EventWire.Decode(EventWire.Encode(evt)));
    }

    [Fact]
    public void The_wire_form_is_the_json_line_format_s_shape()
    {
        var wire = Encoding.UTF8.GetString(EventWire.Encode(new JoinedEvent("dev", "carol", "ws")));
        Assert.Equal("""{"type":"joined","room":"dev","nick":"carol","via":"ws"}""", wire);
    }

    [Fact]
    public void A_type_this_node_does_not_know_is_skipped_and_broken_input_is_refused()
    {
        Assert.Null(EventWire.Decode("""{"type":"from_a_newer_node","x":1}"""u8));
        Assert.ThrowsAny<JsonException>(() => EventWire.Decode("""{"room":"dev"}"""u8));
        Assert.ThrowsAny<JsonException>(() => EventWire.Decode("""[1,2]"""u8));
        Assert.ThrowsAny<JsonException>(() => EventWire.Decode("""{"type":"joined","room":"""u8));
    }

    [Fact]
    public void What_only_a_local_writer_needs_never_goes_between_nodes()
    {
        Assert.False(EventWire.Carries(new RawBytesEvent([0xFF, 0xFB, 0x00])));
        Assert.False(EventWire.Carries(new PongEvent()));
        Assert.Throws<ArgumentException>(() => EventWire.Encode(new PongEvent()));
        Assert.Throws<ArgumentException>(() => EventWire.Encode(new LeftEvent("dev", "carol", LeftReasons.Kicked, Self: true)));
        Assert.Throws<ArgumentException>(() => EventWire.Encode(new PrivateEvent("alice", "bob", "psst", At, Echo: true)));
    }
}
