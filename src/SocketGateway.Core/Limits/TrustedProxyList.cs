using System.Net;

namespace SocketGateway.Core.Limits;

/// <summary>
/// The peers whose word on the client's address is believed (<c>Gateway:TrustedProxies</c>): addresses and CIDR
/// ranges, IPv4 or IPv6. An IPv4-mapped IPv6 peer is matched as its IPv4 address.
/// </summary>
public sealed class TrustedProxyList
{
    private readonly IPNetwork[] _networks;

    private TrustedProxyList(IPNetwork[] networks) => _networks = networks;

    public static TrustedProxyList Empty { get; } = new([]);

    public IReadOnlyList<IPNetwork> Networks => _networks;

    public bool IsEmpty => _networks.Length == 0;

    /// <summary>Parses <c>10.0.0.5</c>, <c>10.0.0.0/8</c>, <c>2001:db8::/32</c>…; a bad entry fails the start.</summary>
    public static TrustedProxyList Parse(IEnumerable<string>? entries)
    {
        var networks = new List<IPNetwork>();
        foreach (var raw in entries ?? [])
        {
            var entry = raw.Trim();
            if (entry.Length == 0)
            {
                continue;
            }

            if (IpRange.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else
            {
                throw new FormatException($"Gateway:TrustedProxies: '{entry}' is neither an address nor a CIDR range");
            }
        }

        return new TrustedProxyList([.. networks]);
    }

    public bool Contains(IPAddress? address)
    {
        if (address is null || _networks.Length == 0)
        {
            return false;
        }

        var normalized = IpRange.Canonical(address);
        foreach (var network in _networks)
        {
            if (network.Contains(normalized))
            {
                return true;
            }
        }

        return false;
    }
}
