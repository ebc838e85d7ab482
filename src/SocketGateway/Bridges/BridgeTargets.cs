using System.Net;
using System.Net.Sockets;
using SocketGateway.Core;
using SocketGateway.Core.Limits;

namespace SocketGateway.Bridges;

/// <summary>
/// Which hosts a bridge may connect to (<c>Gateway:Bridges:AllowedHosts</c>): addresses, CIDR ranges, host names or
/// <c>loopback</c>. A target name is resolved at every connect and every address it has must be allowed; the bridge
/// then connects to the address that was checked, so a name that is re-pointed later cannot lead it elsewhere.
/// </summary>
public sealed class BridgeTargets
{
    public const string Loopback = "loopback";

    private readonly bool _loopback;
    private readonly List<IPNetwork> _networks = [];
    private readonly List<string> _names = [];

    public BridgeTargets(IReadOnlyCollection<string> allowedHosts)
    {
        foreach (var entry in allowedHosts.Count == 0 ? [Loopback] : allowedHosts)
        {
            var text = entry.Trim();
            if (text.Equals(Loopback, StringComparison.OrdinalIgnoreCase))
            {
                _loopback = true;
            }
            else if (IpRange.TryParse(text, out var network))
            {
                _networks.Add(network);
            }
            else if (Uri.CheckHostName(text) == UriHostNameType.Dns)
            {
                _names.Add(text);
            }
            else
            {
                throw new InvalidOperationException($"Gateway:Bridges:AllowedHosts: '{entry}' is not an address, a CIDR range, a host name or 'loopback'");
            }
        }
    }

    /// <summary>
    /// A target host as a request gives it: a host name, an IPv4 address or an IPv6 address, without brackets, port
    /// or anything else (bad_argument otherwise, rather than a confusing refusal later).
    /// </summary>
    public static string RequireHost(string? host)
    {
        var text = host?.Trim() ?? "";
        if (text.Length == 0)
        {
            throw new ChatException(ErrorCodes.BadArgument, "host is required: a host name or an IP address");
        }

        var kind = text.Length is > 0 and <= 253 && !text.Contains('[') && !text.Contains('%') ? Uri.CheckHostName(text) : UriHostNameType.Unknown;
        return kind is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6
            ? text
            : throw new ChatException(ErrorCodes.BadArgument, "host must be a host name or an IP address, without a port");
    }

    /// <summary>
    /// The address to connect to for <paramref name="host"/>, resolved now; refused (forbidden) when the host does not
    /// resolve or any address it has is outside the list.
    /// </summary>
    public async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = await AddressesOfAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new ChatException(ErrorCodes.Forbidden, $"{host} does not resolve to any address");
        }

        foreach (var address in addresses)
        {
            if (!await IsAllowedAsync(address, cancellationToken).ConfigureAwait(false))
            {
                var shown = address.ToString() == host ? host : $"{host} ({address})";
                throw new ChatException(ErrorCodes.Forbidden, $"{shown} is not in Gateway:Bridges:AllowedHosts");
            }
        }

        // IPv4 first: a service on 127.0.0.1 is more common than one on ::1 alone.
        return addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First();
    }

    private async Task<bool> IsAllowedAsync(IPAddress address, CancellationToken cancellationToken)
    {
        address = IpRange.Canonical(address);
        if ((_loopback && IPAddress.IsLoopback(address)) || _networks.Exists(n => n.Contains(address)))
        {
            return true;
        }

        foreach (var name in _names)
        {
            var allowed = await AddressesOfAsync(name, cancellationToken).ConfigureAwait(false);
            if (Array.Exists(allowed, a => IpRange.Canonical(a).Equals(address)))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<IPAddress[]> AddressesOfAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return [];
        }
    }
}
