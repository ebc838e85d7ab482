using System.Buffers;
using System.Text;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Core.Tests.Protocol;

public sealed class FirstBytesTests
{
    private static FirstBytesKind Classify(byte[] bytes, bool final = false) =>
        FirstBytes.Classify(new ReadOnlySequence<byte>(bytes), final, maxLineBytes: 8192);

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n", FirstBytesKind.HttpRequest)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", FirstBytesKind.HttpRequest)]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 40000 5555\r\nhi\n", FirstBytesKind.ProxyHeader)]
    [InlineData("GET me a coffee\n", FirstBytesKind.Chat)]
    [InlineData("PROXY servers are great\n", FirstBytesKind.Chat)]
    [InlineData("/nick alice\n", FirstBytesKind.Chat)]
    public void Every_prefix_waits_and_the_whole_decides(string text, FirstBytesKind whole)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(whole, Classify(bytes));
        var firstLine = text.IndexOf('\n', StringComparison.Ordinal);
        // Before the first line ends nothing is refused, and a prefix that can still become a request is held.
        for (var length = 1; length <= firstLine; length++)
        {
            var kind = Classify(bytes[..length]);
            Assert.True(kind is FirstBytesKind.Undecided or FirstBytesKind.Chat, $"{length}: {kind}");
            Assert.Equal(FirstBytesKind.Chat, Classify(bytes[..length], final: true));
        }
    }

    [Fact]
    public void A_v2_header_is_decided_once_complete()
    {
        byte[] header = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0, 12, 203, 0, 113, 7, 192, 0, 2, 1, 0x9C, 0x40, 0x15, 0xB3];
        for (var length = 1; length < header.Length; length++)
        {
            Assert.Equal(FirstBytesKind.Undecided, Classify(header[..length]));
        }

        Assert.Equal(FirstBytesKind.ProxyHeader, Classify(header));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'h' })]
    [InlineData(new byte[] { 0x16, 0x03, 0x01 })] // a TLS ClientHello
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'X' })]
    [InlineData(new byte[] { 0xFF, 0xFD, 0x01 })] // telnet
    public void Anything_that_cannot_become_a_request_or_header_is_chat_at_once(byte[] bytes)
    {
        Assert.Equal(FirstBytesKind.Chat, Classify(bytes));
    }

    [Fact]
    public void Nothing_yet_waits_and_an_overlong_request_line_is_chat()
    {
        Assert.Equal(FirstBytesKind.Undecided, Classify([]));
        Assert.Equal(FirstBytesKind.Chat, Classify([], final: true));
        Assert.Equal(FirstBytesKind.Chat, Classify(Encoding.ASCII.GetBytes("GET /" + new string('a', 8200))));
    }
}
