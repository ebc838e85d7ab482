using System.Net;
using SocketGateway.Core.Limits;

namespace SocketGateway.Core.Tests.Limits;

public sealed class TrustedProxyListTests
{
    [Fact]
    public void Addresses_and_ranges_of_both_families_are_matched()
    {
        var list = TrustedProxyList.Parse(["10.0.0.5", " 192.168.0.0/16 ", "2001:db8::/32", "::1", ""]);
        Assert.True(list.Contains(IPAddress.Parse("10.0.0.5")));
        Assert.False(list.Contains(IPAddress.Parse("10.0.0.6")));
        Assert.True(list.Contains(IPAddress.Parse("192.168.200.1")));
        Assert.True(list.Contains(IPAddress.Parse("::ffff:192.168.1.1")));
        Assert.True(list.Contains(IPAddress.Parse("2001:db8:ffff::1")));
        Assert.True(list.Contains(IPAddress.IPv6Loopback));
        Assert.False(list.Contains(IPAddress.Loopback));
        Assert.False(list.Contains(null));
    }

    [Fact]
    public void An_empty_list_trusts_nobody()
    {
        Assert.True(TrustedProxyList.Parse(null).IsEmpty);
        Assert.False(TrustedProxyList.Parse([]).Contains(IPAddress.Loopback));
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("10.0.0.0/33")]
    public void A_bad_entry_fails_loudly(string entry) =>
        Assert.Throws<FormatException>(() => TrustedProxyList.Parse([entry]));
}
