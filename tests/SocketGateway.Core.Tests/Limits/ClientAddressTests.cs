using System.Net;
using SocketGateway.Core.Limits;

namespace SocketGateway.Core.Tests.Limits;

public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("192.0.2.7", 50123, "192.0.2.7:50123")]
    [InlineData("::ffff:192.0.2.7", 50123, "192.0.2.7:50123")]
    [InlineData("2001:db8::7", 443, "[2001:db8::7]:443")]
    [InlineData("::1", 1, "[::1]:1")]
    public void A_peer_is_formatted_one_way_whatever_socket_family_carried_it(string address, int port, string expected) =>
        Assert.Equal(expected, ClientAddress.Format(new IPEndPoint(IPAddress.Parse(address), port)));

    [Fact]
    public void No_peer_has_no_address() => Assert.Null(ClientAddress.Format(null));
}
