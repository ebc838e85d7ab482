using System.Buffers.Text;
using System.Text;

namespace SocketGateway.Redis.Bus;

/// <summary>
/// One event between nodes: <c>{origin} {place} {id} {target} {event JSON}</c>. The origin is the publishing process
/// (its own echo is ignored), the place is the event's number in its room's order (0 for an event to a user), the id
/// a message's id (the JSON was written before Redis gave it one), the target the room or the user's nick (names
/// have no spaces). The place and id are written by the publish script, which alone knows them.
/// </summary>
internal readonly ref struct BusFrame
{
    public BusFrame(ReadOnlySpan<byte> origin, long place, long id, ReadOnlySpan<byte> target, ReadOnlySpan<byte> json)
    {
        Origin = origin;
        Place = place;
        Id = id;
        Target = target;
        Json = json;
    }

    public ReadOnlySpan<byte> Origin { get; }

    public long Place { get; }

    public long Id { get; }

    public ReadOnlySpan<byte> Target { get; }

    public ReadOnlySpan<byte> Json { get; }

    public static bool TryRead(ReadOnlySpan<byte> frame, out BusFrame read)
    {
        read = default;
        // Four fields up to a space each, then the JSON, spaces and all.
        Span<int> ends = stackalloc int[4];
        var start = 0;
        for (var i = 0; i < ends.Length; i++)
        {
            var space = frame[start..].IndexOf((byte)' ');
            if (space <= 0)
            {
                return false;
            }

            ends[i] = start + space;
            start = ends[i] + 1;
        }

        var origin = frame[..ends[0]];
        var target = frame[(ends[2] + 1)..ends[3]];
        if (!TryNumber(frame[(ends[0] + 1)..ends[1]], out var place) || !TryNumber(frame[(ends[1] + 1)..ends[2]], out var id))
        {
            return false;
        }

        read = new BusFrame(origin, place, id, target, frame[start..]);
        return true;
    }

    /// <summary>A frame a node writes whole itself: an event to a user, which needs no place from Redis.</summary>
    public static byte[] Write(string origin, string target, ReadOnlySpan<byte> json)
    {
        var header = Encoding.UTF8.GetBytes($"{origin} 0 0 {target} ");
        var frame = new byte[header.Length + json.Length];
        header.CopyTo(frame, 0);
        json.CopyTo(frame.AsSpan(header.Length));
        return frame;
    }

    private static bool TryNumber(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var length) && length == text.Length;
}
