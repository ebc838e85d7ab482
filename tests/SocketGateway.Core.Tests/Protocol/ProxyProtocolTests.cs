using System.Buffers;
using System.Net;
using System.Text;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Core.Tests.Protocol;

public sealed class ProxyProtocolTests
{
    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>A v2 header; <paramref name="extra"/> bytes (TLVs) follow the addresses.</summary>
    public static byte[] V2(byte command, byte family, byte[] addresses, int extra = 0)
    {
        var length = addresses.Length + extra;
        return [.. V2Signature, (byte)(0x20 | command), family, (byte)(length >> 8), (byte)length, .. addresses, .. new byte[extra]];
    }

    public static byte[] V2Tcp4(string source, int sourcePort, string destination, int destinationPort) =>
        V2(1, 0x11, [.. IPAddress.Parse(source).GetAddressBytes(), .. IPAddress.Parse(destination).GetAddressBytes(),
            (byte)(sourcePort >> 8), (byte)sourcePort, (byte)(destinationPort >> 8), (byte)destinationPort]);

    public static byte[] V2Tcp6(string source, int sourcePort, string destination, int destinationPort, int extra = 0) =>
        V2(1, 0x21, [.. IPAddress.Parse(source).GetAddressBytes(), .. IPAddress.Parse(destination).GetAddressBytes(),
            (byte)(sourcePort >> 8), (byte)sourcePort, (byte)(destinationPort >> 8), (byte)destinationPort], extra);

    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int[] cuts)
    {
        Segment? first = null;
        Segment? last = null;
        var start = 0;
        foreach (var cut in cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order().Append(bytes.Length))
        {
            var segment = new Segment(bytes.AsMemory(start, cut - start), last);
            first ??= segment;
            last = segment;
            start = cut;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private static (ProxyHeaderStatus Status, ProxyHeader Header, long Consumed) Parse(byte[] bytes, params int[] cuts)
    {
        var reader = new SequenceReader<byte>(Segmented(bytes, cuts));
        var status = ProxyProtocol.TryParse(ref reader, out var header);
        return (status, header, reader.Consumed);
    }

    /// <summary>Every prefix is incomplete, the whole is the header, whatever the segmentation; the rest is left.</summary>
    private static ProxyHeader AssertHeader(byte[] header)
    {
        byte[] withData = [.. header, .. "hello\n"u8.ToArray()];
        for (var length = 0; length < header.Length; length++)
        {
            Assert.Equal(ProxyHeaderStatus.Incomplete, Parse(header[..length]).Status);
        }

        var random = new Random(header.Length);
        ProxyHeader parsed = default;
        for (var round = 0; round < 50; round++)
        {
            var cuts = Enumerable.Range(0, random.Next(0, 6)).Select(_ => random.Next(1, withData.Length)).ToArray();
            var (status, result, consumed) = Parse(withData, cuts);
            Assert.Equal(ProxyHeaderStatus.Header, status);
            Assert.Equal(header.Length, consumed);
            parsed = result;
        }

        return parsed;
    }

    [Fact]
    public void A_v1_tcp4_header_gives_the_client_endpoint()
    {
        var header = AssertHeader("PROXY TCP4 203.0.113.7 192.0.2.1 40000 5555\r\n"u8.ToArray());
        Assert.Equal(1, header.Version);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40000), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5555), header.Destination);
    }

    [Fact]
    public void A_v1_tcp6_header_gives_the_client_endpoint()
    {
        var header = AssertHeader("PROXY TCP6 2001:db8::7 2001:db8::1 65535 5555\r\n"u8.ToArray());
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 65535), header.Source);
    }

    [Fact]
    public void A_v1_unknown_header_keeps_the_peer_address()
    {
        var header = AssertHeader("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n"u8.ToArray());
        Assert.Null(header.Source);
        Assert.Null(AssertHeader("PROXY UNKNOWN\r\n"u8.ToArray()).Source);
    }

    [Fact]
    public void The_longest_v1_headers_are_accepted()
    {
        const string Full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        var longest = $"PROXY UNKNOWN {Full} {Full} 65535 65535\r\n";
        Assert.Equal(ProxyProtocol.MaxV1Length, longest.Length);
        Assert.Null(AssertHeader(Encoding.ASCII.GetBytes(longest)).Source);
        Assert.Equal(65535, AssertHeader(Encoding.ASCII.GetBytes($"PROXY TCP6 {Full} {Full} 65535 65535\r\n")).Source!.Port);
    }

    [Theory]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 40000\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 40000 5555\n")]
    [InlineData("PROXY TCP4 2001:db8::7 192.0.2.1 40000 5555\r\n")]
    [InlineData("PROXY TCP6 203.0.113.7 2001:db8::1 40000 5555\r\n")]
    [InlineData("PROXY TCP4 203.0.113 192.0.2.1 40000 5555\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 65536 5555\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 040000 5555\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 -1 5555\r\n")]
    [InlineData("PROXY TCP4  203.0.113.7 192.0.2.1 4 5555\r\n")]
    [InlineData("PROXY UDP4 203.0.113.7 192.0.2.1 40000 5555\r\n")]
    [InlineData("PROXY is how I connect\n")]
    public void Malformed_v1_headers_are_invalid(string text)
    {
        var (status, _, consumed) = Parse(Encoding.ASCII.GetBytes(text));
        Assert.Equal(ProxyHeaderStatus.Invalid, status);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void A_v1_header_without_an_end_within_the_limit_is_invalid_not_buffered_forever()
    {
        var endless = Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 200));
        Assert.Equal(ProxyHeaderStatus.Incomplete, Parse(endless[..(ProxyProtocol.MaxV1Length - 1)]).Status);
        Assert.Equal(ProxyHeaderStatus.Invalid, Parse(endless[..ProxyProtocol.MaxV1Length]).Status);
    }

    [Theory]
    [InlineData("hello\n")]
    [InlineData("/nick alice\n")]
    [InlineData("PROXYTCP4\r\n")]
    [InlineData("proxy TCP4 1.2.3.4 1.2.3.4 1 1\r\n")]
    [InlineData("\r\nhello\n")]
    [InlineData("GET / HTTP/1.1\r\n")]
    public void Ordinary_input_is_not_a_header(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(ProxyHeaderStatus.NotProxy, Parse(bytes).Status);
        Assert.Equal(ProxyHeaderStatus.NotProxy, Parse(bytes, 1, 2, 3).Status);
    }

    [Fact]
    public void Prefixes_of_either_signature_are_incomplete()
    {
        Assert.Equal(ProxyHeaderStatus.Incomplete, Parse([]).Status);
        Assert.Equal(ProxyHeaderStatus.Incomplete, Parse("PROX"u8.ToArray()).Status);
        Assert.Equal(ProxyHeaderStatus.Incomplete, Parse("\r\n\r\n"u8.ToArray()).Status);
        Assert.Equal(ProxyHeaderStatus.NotProxy, Parse("\r\n\r\nx"u8.ToArray()).Status);
    }

    [Fact]
    public void A_v2_tcp4_header_gives_the_client_endpoint()
    {
        var header = AssertHeader(V2Tcp4("203.0.113.9", 41000, "192.0.2.1", 5555));
        Assert.Equal(2, header.Version);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 41000), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5555), header.Destination);
    }

    [Fact]
    public void A_v2_tcp6_header_with_tlvs_gives_the_client_endpoint_and_skips_the_tlvs()
    {
        var header = AssertHeader(V2Tcp6("2001:db8::9", 443, "2001:db8::1", 5555, extra: 40));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::9"), 443), header.Source);
    }

    [Fact]
    public void A_v2_local_or_unix_header_keeps_the_peer_address()
    {
        Assert.Null(AssertHeader(V2(0, 0x00, [])).Source);
        Assert.Null(AssertHeader(V2(0, 0x11, new byte[12])).Source);
        Assert.Null(AssertHeader(V2(1, 0x31, new byte[216])).Source);
    }

    [Fact]
    public void Malformed_v2_headers_are_invalid()
    {
        var good = V2Tcp4("203.0.113.9", 41000, "192.0.2.1", 5555);
        var badVersion = good.ToArray();
        badVersion[12] = 0x11;
        var badCommand = good.ToArray();
        badCommand[12] = 0x22;
        var badFamily = good.ToArray();
        badFamily[13] = 0x41;
        Assert.Equal(ProxyHeaderStatus.Invalid, Parse(badVersion).Status);
        Assert.Equal(ProxyHeaderStatus.Invalid, Parse(badCommand).Status);
        Assert.Equal(ProxyHeaderStatus.Invalid, Parse(badFamily).Status);
        Assert.Equal(ProxyHeaderStatus.Invalid, Parse(V2(1, 0x11, new byte[8])).Status);
        Assert.Equal(ProxyHeaderStatus.Invalid, Parse(V2(1, 0x21, new byte[20])).Status);

        // A huge announced length is refused from the fixed part, before any of it is buffered.
        Assert.Equal(ProxyHeaderStatus.Invalid, Parse([.. V2Signature, 0x21, 0x11, 0xFF, 0xFF]).Status);
    }

    [Fact]
    public void Random_bytes_never_throw_and_never_consume_unless_a_header()
    {
        var random = new Random(6);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = new byte[random.Next(0, 120)];
            random.NextBytes(bytes);
            if (i % 3 == 0 && bytes.Length >= 12)
            {
                V2Signature.CopyTo(bytes, 0);
            }
            else if (i % 3 == 1 && bytes.Length >= 6)
            {
                "PROXY "u8.CopyTo(bytes);
            }

            var cuts = new[] { random.Next(0, 130), random.Next(0, 130) };
            var (status, _, consumed) = Parse(bytes, cuts);
            Assert.Equal(Parse(bytes).Status, status);
            Assert.True(status == ProxyHeaderStatus.Header || consumed == 0);
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
