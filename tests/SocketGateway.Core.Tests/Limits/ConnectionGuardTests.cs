using System.Net;
using Microsoft.Extensions.Time.Testing;
using SocketGateway.Core.Limits;

namespace SocketGateway.Core.Tests.Limits;

public sealed class ConnectionGuardTests
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.7");

    private static GatewayLimits Limits(int perIp = 0, double rate = 0, int burst = 1, int total = 0, bool exemptLoopback = true) => new()
    {
        MaxConnectionsPerIp = perIp,
        ConnectionRatePerIp = rate,
        ConnectionBurstPerIp = burst,
        MaxConnections = total,
        ExemptLoopback = exemptLoopback,
    };

    [Fact]
    public void The_per_address_cap_refuses_the_next_connection_until_one_closes()
    {
        var guard = new ConnectionGuard(Limits(perIp: 2), new FakeTimeProvider());
        Assert.Equal(Admission.Admitted, guard.TryAdmit(Client, out var first));
        Assert.Equal(Admission.Admitted, guard.TryAdmit(Client, out _));
        Assert.Equal(Admission.TooManyFromAddress, guard.TryAdmit(Client, out var refused));
        Assert.Null(refused);
        Assert.Equal(Admission.Admitted, guard.TryAdmit(IPAddress.Parse("192.0.2.8"), out _));

        first!.Dispose();
        first.Dispose(); // a second dispose does not free a second slot
        Assert.Equal(Admission.Admitted, guard.TryAdmit(Client, out _));
        Assert.Equal(Admission.TooManyFromAddress, guard.TryAdmit(Client, out _));
    }

    [Fact]
    public void The_new_connection_throttle_refills_exactly_at_its_rate()
    {
        var time = new FakeTimeProvider();
        var guard = new ConnectionGuard(Limits(rate: 2, burst: 2), time);
        Assert.Equal(Admission.Admitted, guard.TryAdmit(Client, out _));
        Assert.Equal(Admission.Admitted, guard.TryAdmit(Client, out _));
        Assert.Equal(Admission.TooFastFromAddress, guard.TryAdmit(Client, out _));

        // One token every 500 ms: one tick short is still refused, the boundary admits.
        time.Advance(TimeSpan.FromMilliseconds(500) - TimeSpan.FromTicks(1));
        Assert.Equal(Admission.TooFastFromAddress, guard.TryAdmit(Client, out _));
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(Admission.Admitted, guard.TryAdmit(Client, out _));
    }

    [Fact]
    public void The_global_cap_counts_every_address()
    {
        var guard = new ConnectionGuard(Limits(total: 2), new FakeTimeProvider());
        Assert.Equal(Admission.Admitted, guard.TryAdmit(IPAddress.Parse("192.0.2.1"), out _));
        Assert.Equal(Admission.Admitted, guard.TryAdmit(IPAddress.Parse("198.51.100.1"), out var second));
        Assert.Equal(Admission.GatewayFull, guard.TryAdmit(IPAddress.Parse("203.0.113.1"), out _));
        Assert.Equal(2, guard.Count);
        second!.Dispose();
        Assert.Equal(Admission.Admitted, guard.TryAdmit(IPAddress.Parse("203.0.113.1"), out _));
    }

    [Fact]
    public void Loopback_is_exempt_unless_configured_otherwise()
    {
        var exempt = new ConnectionGuard(Limits(perIp: 1, total: 1), new FakeTimeProvider());
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(Admission.Admitted, exempt.TryAdmit(IPAddress.Loopback, out _));
            Assert.Equal(Admission.Admitted, exempt.TryAdmit(IPAddress.IPv6Loopback, out _));
        }

        var strict = new ConnectionGuard(Limits(perIp: 1, exemptLoopback: false), new FakeTimeProvider());
        Assert.Equal(Admission.Admitted, strict.TryAdmit(IPAddress.Loopback, out _));
        Assert.Equal(Admission.TooManyFromAddress, strict.TryAdmit(IPAddress.Parse("::ffff:127.0.0.1"), out _));
    }

    [Fact]
    public void Ipv6_addresses_of_one_64_share_a_limit_and_mapped_ipv4_is_ipv4()
    {
        var guard = new ConnectionGuard(Limits(perIp: 1), new FakeTimeProvider());
        Assert.Equal(Admission.Admitted, guard.TryAdmit(IPAddress.Parse("2001:db8:1:2::1"), out _));
        Assert.Equal(Admission.TooManyFromAddress, guard.TryAdmit(IPAddress.Parse("2001:db8:1:2:ffff:1:2:3"), out _));
        Assert.Equal(Admission.Admitted, guard.TryAdmit(IPAddress.Parse("2001:db8:1:3::1"), out _));

        Assert.Equal(Admission.Admitted, guard.TryAdmit(IPAddress.Parse("::ffff:192.0.2.9"), out _));
        Assert.Equal(Admission.TooManyFromAddress, guard.TryAdmit(IPAddress.Parse("192.0.2.9"), out _));
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:aa:bb:cc:dd:ee:ff", "2001:db8:aa:bb::/64")]
    public void Partition_keys(string address, string key) =>
        Assert.Equal(key, ClientAddress.PartitionKey(IPAddress.Parse(address)));
}
