using System.Net;
using System.Net.Sockets;

namespace SocketGateway.Core.Limits;

/// <summary>
/// An address or a CIDR range from configuration (trusted proxies, bridge targets), in the form peers are judged
/// in: an IPv4-mapped IPv6 address or range is the IPv4 one it stands for.
/// </summary>
public static class IpRange
{
    /// <summary><c>10.0.0.5</c> (one host), <c>10.0.0.0/8</c>, <c>2001:db8::/32</c>, <c>::ffff:10.0.0.0/104</c> (= 10.0.0.0/8)…</summary>
    public static bool TryParse(string entry, out IPNetwork network)
    {
        if (IPAddress.TryParse(entry, out var address))
        {
            var host = Canonical(address);
            network = new IPNetwork(host, host.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        if (IPNetwork.TryParse(entry, out network))
        {
            if (network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength >= 96)
            {
                network = new IPNetwork(network.BaseAddress.MapToIPv4(), network.PrefixLength - 96);
            }

            return true;
        }

        return false;
    }

    public static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
