using System.Buffers;
using System.Text;
using SocketGateway.Core.Bridges;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Tests.Protocol;

namespace SocketGateway.Core.Tests.Bridges;

public sealed class FrameDecoderTests
{
    private const int Max = 16;
    private static readonly string TooLong = new('x', Max + 1);
    private static readonly string[] Frames = ["hello", "", "wörld ✓", TooLong, new string('a', Max), "after"];
    private static readonly string[] Expected = ["hello", "", "wörld ✓", "<too long>", new string('a', Max), "after"];

    public static TheoryData<string> AllFramings() => [.. Framings.Names];

    /// <summary>Feeds the input in the given chunks, keeping what was not consumed as a pipe reader would.</summary>
    private static List<string> Decode(Framing framing, byte[] input, IEnumerable<int> chunkSizes)
    {
        var decoder = new FrameDecoder(framing, Max);
        var output = new List<string>();
        PipeFeed.InChunks(input, chunkSizes, buffer =>
        {
            var reader = new SequenceReader<byte>(buffer);
            while (decoder.TryRead(ref reader, out var frame) is var status && status != LineStatus.Incomplete)
            {
                output.Add(status == LineStatus.TooLong ? "<too long>" : Encoding.UTF8.GetString(frame.ToArray()));
            }

            Assert.True(reader.Remaining <= Max + sizeof(uint) + 1, "never more than one frame's worth stays buffered");
            return reader.Position;
        });

        return output;
    }

    private static byte[] Encode(Framing framing, IEnumerable<string> frames)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var frame in frames)
        {
            Framings.Write(output, framing, Encoding.UTF8.GetBytes(frame));
        }

        return output.WrittenSpan.ToArray();
    }

    [Theory]
    [MemberData(nameof(AllFramings))]
    public void Every_split_point_gives_the_same_frames(string name)
    {
        var framing = Framings.Require(name);
        var input = Encode(framing, Frames);
        for (var split = 0; split <= input.Length; split++)
        {
            Assert.Equal(Expected, Decode(framing, input, [split]));
        }
    }

    [Theory]
    [MemberData(nameof(AllFramings))]
    public void A_byte_at_a_time_gives_the_same_frames(string name)
    {
        var framing = Framings.Require(name);
        var input = Encode(framing, Frames);
        Assert.Equal(Expected, Decode(framing, input, Enumerable.Repeat(1, input.Length)));
    }

    [Fact]
    public void The_line_framings_are_written_with_their_own_ends_and_read_alike()
    {
        Assert.Equal("a\nb\n"u8.ToArray(), Encode(Framing.Lf, ["a", "b"]));
        Assert.Equal("a\r\nb\r\n"u8.ToArray(), Encode(Framing.Crlf, ["a", "b"]));
        Assert.Equal("a\0b\0"u8.ToArray(), Encode(Framing.Nul, ["a", "b"]));
        var mixed = "one\r\ntwo\nthree\r\n"u8.ToArray();
        Assert.Equal(["one", "two", "three"], Decode(Framing.Lf, mixed, []));
        Assert.Equal(["one", "two", "three"], Decode(Framing.Crlf, mixed, []));
    }

    [Fact]
    public void A_nul_frame_keeps_its_newlines_and_returns_for_the_room_to_judge()
    {
        Assert.Equal(["a\r\nb", "c\r"], Decode(Framing.Nul, "a\r\nb\0c\r\0"u8.ToArray(), []));
    }

    [Fact]
    public void A_length_prefix_is_big_endian_and_a_huge_one_is_skipped_without_being_held()
    {
        Assert.Equal([0, 0, 1, 2, .. new byte[258]], Encode(Framing.Lp32, [new string('\0', 258)]));
        // A 4 GiB announcement followed by nothing: one refusal, and the decoder waits to skip the rest.
        byte[] huge = [0xFF, 0xFF, 0xFF, 0xFF, .. "tail"u8];
        Assert.Equal(["<too long>"], Decode(Framing.Lp32, huge, [2, 3]));
    }

    [Fact]
    public void Names_are_the_contracts_and_anything_else_is_a_bad_argument()
    {
        Assert.Equal(["lf", "crlf", "nul", "lp32"], Enum.GetValues<Framing>().Select(f => f.Name()));
        Assert.Equal(Framing.Lp32, Framings.Require(" LP32 "));
        var refused = Assert.Throws<ChatException>(() => Framings.Require("json"));
        Assert.Equal(ErrorCodes.BadArgument, refused.Code);
        Assert.Contains("lf, crlf, nul, lp32", refused.Message, StringComparison.Ordinal);
    }
}
