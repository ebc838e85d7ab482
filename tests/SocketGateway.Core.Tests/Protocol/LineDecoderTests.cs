using System.Buffers;
using System.Text;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Core.Tests.Protocol;

public sealed class LineDecoderTests
{
    /// <summary>Feeds the input in the given chunks, the way a pipe would, and records what comes out.</summary>
    private static List<string> Decode(byte[] input, int maxLineBytes, IEnumerable<int> chunkSizes)
    {
        var decoder = new LineDecoder(maxLineBytes);
        var output = new List<string>();
        PipeFeed.InChunks(input, chunkSizes, buffer =>
        {
            var reader = new SequenceReader<byte>(buffer);
            while (true)
            {
                var status = decoder.TryReadLine(ref reader, out var line);
                if (status == LineStatus.Incomplete)
                {
                    break;
                }

                output.Add(status == LineStatus.TooLong ? "<too long>" : Encoding.UTF8.GetString(line.ToArray()));
            }

            Assert.True(reader.Remaining <= maxLineBytes + 1, "never more than the limit (+ a pending CR) stays buffered");
            return reader.Position;
        });

        return output;
    }

    private static List<string> DecodeWhole(string input, int max = 16) => Decode(Encoding.UTF8.GetBytes(input), max, []);

    [Fact]
    public void Splits_lines_and_drops_the_carriage_return_before_the_newline()
    {
        Assert.Equal(["one", "two", "", "three\rx"], DecodeWhole("one\ntwo\r\n\nthree\rx\nrest"));
    }

    [Fact]
    public void A_line_exactly_at_the_limit_is_accepted_and_one_byte_over_is_refused()
    {
        var atLimit = new string('a', 16);
        Assert.Equal([atLimit], DecodeWhole(atLimit + "\n"));
        Assert.Equal([atLimit], DecodeWhole(atLimit + "\r\n"));
        Assert.Equal(["<too long>", "ok"], DecodeWhole(atLimit + "b\nok\n"));
    }

    [Fact]
    public void The_limit_counts_utf8_bytes_not_characters()
    {
        var eightEuros = string.Concat(Enumerable.Repeat("\u20ac", 5)) + "a"; // 5 * 3 bytes + 1 = 16 bytes
        Assert.Equal([eightEuros], DecodeWhole(eightEuros + "\n"));
        Assert.Equal(["<too long>"], DecodeWhole(eightEuros + "b\n"));
    }

    [Fact]
    public void An_endless_line_is_reported_once_and_the_next_line_still_decodes()
    {
        var input = Encoding.UTF8.GetBytes(new string('x', 100_000) + "\nafter\n");
        Assert.Equal(["<too long>", "after"], Decode(input, 16, Enumerable.Repeat(1000, 200)));
    }

    [Fact]
    public void Every_segmentation_of_the_input_gives_the_same_lines_and_errors()
    {
        var input = Encoding.UTF8.GetBytes("hi\r\n\u00e9t\u00e9 \ud83d\ude00\n" + new string('z', 40) + "\r\n" + new string('q', 16) + "\r\n\r\nend\n" + new string('y', 17) + "\n");
        var expected = Decode(input, 16, []);
        Assert.Equal(["hi", "\u00e9t\u00e9 \ud83d\ude00", "<too long>", new string('q', 16), "", "end", "<too long>"], expected);

        Assert.Equal(expected, Decode(input, 16, Enumerable.Repeat(1, input.Length)));
        var random = new Random(1234);
        for (var round = 0; round < 500; round++)
        {
            var chunks = Enumerable.Range(0, input.Length).Select(_ => random.Next(1, 25)).ToList();
            Assert.Equal(expected, Decode(input, 16, chunks));
        }
    }

    [Fact]
    public void Random_bytes_never_throw_and_segmentation_never_matters()
    {
        var random = new Random(42);
        for (var round = 0; round < 200; round++)
        {
            var input = new byte[random.Next(0, 400)];
            random.NextBytes(input);
            for (var i = 0; i < input.Length; i++)
            {
                if (random.Next(10) == 0)
                {
                    input[i] = (byte)'\n';
                }
            }

            var whole = Decode(input, 32, []);
            var pieces = Decode(input, 32, Enumerable.Range(0, input.Length).Select(_ => random.Next(1, 9)).ToList());
            Assert.Equal(whole, pieces);
        }
    }

    [Fact]
    public void Zero_means_no_limit()
    {
        var big = new string('a', 50_000);
        Assert.Equal([big], DecodeWhole(big + "\n", 0));
    }

    [Fact]
    public void Invalid_utf8_is_refused_by_the_text_step()
    {
        Assert.False(LineText.TryDecode(new ReadOnlySequence<byte>([0x68, 0xC3, 0x28]), out _));
        Assert.False(LineText.TryDecode(new ReadOnlySequence<byte>([0xED, 0xA0, 0x80]), out _)); // a UTF-16 surrogate encoded
        Assert.True(LineText.TryDecode(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("h\u00e9")), out var text));
        Assert.Equal("h\u00e9", text);
    }
}
