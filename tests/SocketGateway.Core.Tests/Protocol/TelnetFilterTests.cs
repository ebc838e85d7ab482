using System.Text;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Core.Tests.Protocol;

public sealed class TelnetFilterTests
{
    private const byte Iac = TelnetFilter.Iac;

    private static byte[] Run(byte[] input, IEnumerable<int>? chunks = null) => Run(new TelnetFilter(), input, chunks);

    private static byte[] Run(TelnetFilter filter, byte[] input, IEnumerable<int>? chunks = null)
    {
        var output = new List<byte>();
        var offset = 0;
        foreach (var size in (chunks ?? []).Append(int.MaxValue))
        {
            var take = Math.Min(size, input.Length - offset);
            var buffer = new byte[take + 2];
            var written = filter.Filter(input.AsSpan(offset, take), buffer);
            output.AddRange(buffer.AsSpan(0, written));
            offset += take;
            if (offset == input.Length)
            {
                break;
            }
        }

        return [.. output];
    }

    [Fact]
    public void Plain_text_passes_unchanged()
    {
        var text = Encoding.UTF8.GetBytes("hello wörld\r\n/join dev\n");
        Assert.Equal(text, Run(text));
    }

    [Fact]
    public void Option_requests_commands_and_subnegotiations_are_consumed()
    {
        byte[] input =
        [
            Iac, TelnetFilter.Do, 1, (byte)'h', Iac, TelnetFilter.Will, 31, (byte)'i',
            Iac, 246, // AYT
            Iac, TelnetFilter.Sb, 24, 0, (byte)'x', (byte)'t', Iac, Iac, (byte)'m', Iac, TelnetFilter.Se,
            (byte)'\n',
        ];
        Assert.Equal("hi\n", Encoding.ASCII.GetString(Run(input)));
    }

    [Fact]
    public void Requests_are_refused_once_per_option_and_refusals_are_not_answered()
    {
        var filter = new TelnetFilter();
        byte[] input =
        [
            Iac, TelnetFilter.Do, 1, Iac, TelnetFilter.Will, 31, Iac, TelnetFilter.Do, 1,
            Iac, TelnetFilter.Dont, 3, Iac, TelnetFilter.Wont, 5, (byte)'x',
        ];
        var output = new byte[input.Length + 2];
        Assert.Equal(1, filter.Filter(input, output));
        Assert.Equal(new byte[] { Iac, TelnetFilter.Wont, 1, Iac, TelnetFilter.Dont, 31 }, filter.TakeReplies());
        Assert.Empty(filter.TakeReplies());

        // The same requests again, split anywhere: already refused, so nothing more is owed.
        foreach (var b in input)
        {
            filter.Filter([b], new byte[3]);
        }

        Assert.Empty(filter.TakeReplies());
    }

    [Fact]
    public void A_line_end_is_never_taken_as_an_option_byte()
    {
        // A raw client's invalid lines: FF FE 0A would be IAC DONT <LF>, FF FA 0D 0A an SB for option CR.
        byte[] input = [.. "/nick "u8, Iac, TelnetFilter.Dont, (byte)'\n', .. "/join "u8, Iac, TelnetFilter.Sb, (byte)'\r', (byte)'\n', .. "ok\n"u8];
        for (var split = 0; split <= input.Length; split++)
        {
            var filter = new TelnetFilter();
            Assert.Equal(input, Run(filter, input, [split]));
            Assert.False(filter.SpokeTelnet);
            Assert.Empty(filter.TakeReplies());
        }
    }

    [Fact]
    public void Binary_is_offered_on_the_first_sequence_and_the_client_s_agreement_is_not_answered()
    {
        var filter = new TelnetFilter(offerBinary: true);
        byte[] notTelnet = [(byte)'a', Iac, (byte)'!', (byte)'\n'];
        Assert.Equal(notTelnet, Run(filter, notTelnet));
        Assert.Empty(filter.TakeReplies());

        Run(filter, [Iac, 243, Iac, TelnetFilter.Do, 6]); // BRK, DO TIMING-MARK: what netkit telnet sends for 0x9C
        Assert.Equal(new byte[] { Iac, TelnetFilter.Will, 0, Iac, TelnetFilter.Do, 0, Iac, TelnetFilter.Wont, 6 }, filter.TakeReplies());
        Assert.False(filter.ClientSendsBinary);

        Run(filter, [Iac, TelnetFilter.Do, 0, Iac, TelnetFilter.Will, 0]);
        Assert.Empty(filter.TakeReplies());
        Assert.True(filter.ClientSendsBinary);
        Assert.False(filter.BinaryRefused);

        Run(filter, [Iac, TelnetFilter.Dont, 0]);
        Assert.Empty(filter.TakeReplies());
        Assert.True(filter.BinaryRefused);
    }

    [Fact]
    public void Without_the_offer_binary_is_refused_like_any_option()
    {
        var filter = new TelnetFilter();
        Run(filter, [Iac, TelnetFilter.Do, 0, Iac, TelnetFilter.Will, 0]);
        Assert.Equal(new byte[] { Iac, TelnetFilter.Wont, 0, Iac, TelnetFilter.Dont, 0 }, filter.TakeReplies());
        Assert.False(filter.ClientSendsBinary);
    }

    [Fact]
    public void Iac_iac_is_a_literal_ff_byte()
    {
        Assert.Equal(new byte[] { (byte)'a', 0xFF, (byte)'b' }, Run([(byte)'a', Iac, Iac, (byte)'b']));
    }

    [Fact]
    public void An_iac_before_a_byte_that_is_no_command_stays_data()
    {
        Assert.Equal(new byte[] { (byte)'a', 0xFF, (byte)'!' }, Run([(byte)'a', Iac, (byte)'!']));
    }

    [Fact]
    public void An_endless_subnegotiation_is_abandoned_after_its_bound()
    {
        var input = new List<byte> { Iac, TelnetFilter.Sb, 24 };
        input.AddRange(Enumerable.Repeat((byte)'z', TelnetFilter.MaxSubnegotiationBytes - 1));
        input.AddRange("data\n"u8.ToArray());
        Assert.Equal("ata\n", Encoding.ASCII.GetString(Run([.. input])));
    }

    [Fact]
    public void Any_segmentation_gives_the_same_output_and_random_bytes_never_throw()
    {
        var random = new Random(606);
        for (var round = 0; round < 300; round++)
        {
            var input = new byte[random.Next(0, 400)];
            random.NextBytes(input);
            // Plenty of IACs, so that every state is visited.
            for (var i = 0; i < input.Length; i += random.Next(1, 6))
            {
                input[i] = random.Next(3) == 0 ? Iac : input[i];
            }

            var whole = Run(input);
            var chunks = Enumerable.Range(0, 50).Select(_ => random.Next(1, 8)).ToList();
            Assert.Equal(whole, Run(input, chunks));
            Assert.True(whole.Length <= input.Length);
        }
    }
}
