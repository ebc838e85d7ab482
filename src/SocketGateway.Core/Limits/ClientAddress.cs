using System.Net;

namespace SocketGateway.Core.Limits;

/// <summary>
/// The unit a per-address limit counts: an IPv4 address (/32), or the /64 of an IPv6 address, because one IPv6
/// host usually owns a whole /64. An IPv4-mapped IPv6 address is its IPv4 address.
/// </summary>
public static class ClientAddress
{
    public static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    /// <summary>
    /// A peer's address as users and logs see it, whichever transport it came by: an IPv4-mapped IPv6 address
    /// (a dual-mode socket) as IPv4, IPv6 in brackets so that the port stays readable.
    /// </summary>
    public static string? Format(IPEndPoint? remote) => remote switch
    {
        null => null,
        { Address.IsIPv4MappedToIPv6: true } => new IPEndPoint(remote.Address.MapToIPv4(), remote.Port).ToString(),
        _ => remote.ToString(),
    };

    /// <summary>The partition key of an address: <c>192.0.2.7</c> or <c>2001:db8:1:2::/64</c>.</summary>
    public static string PartitionKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        var normalized = Normalize(address);
        return normalized.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? normalized + "/64" : normalized.ToString();
    }

    public static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(IpRange.Canonical(address));
}
