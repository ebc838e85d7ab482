using SocketGateway.Core.Protocol;

namespace SocketGateway.Core.Tests.Protocol;

public sealed class HttpProbeTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1", true)]
    [InlineData("POST /api/rooms HTTP/1.0", true)]
    [InlineData("PRI * HTTP/2.0", true)]
    [InlineData("GET / HTTP/1.1 extra", false)]
    [InlineData("GET me a coffee", false)]
    [InlineData("get / HTTP/1.1", false)]
    [InlineData("GET  HTTP/1.1", false)]
    [InlineData("hello", false)]
    public void Recognizes_request_lines_only(string line, bool expected) => Assert.Equal(expected, HttpProbe.IsRequestLine(line));
}
