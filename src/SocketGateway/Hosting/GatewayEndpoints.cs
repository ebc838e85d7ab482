using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace SocketGateway.Hosting;

/// <summary>The listeners as bound: with port 0 in configuration, this is where the chosen ports are read back.</summary>
public sealed class GatewayEndpoints
{
    internal ListenOptions? Http { get; set; }

    public int HttpPort => (Http?.EndPoint as IPEndPoint)?.Port ?? 0;

    public int TcpPort { get; internal set; }

    internal ListenOptions? Irc { get; set; }

    /// <summary>0 when the IRC listener is off (<c>Gateway:Irc:Port</c> unset).</summary>
    public int IrcPort => (Irc?.EndPoint as IPEndPoint)?.Port ?? 0;

    internal ListenOptions? IrcTls { get; set; }

    /// <summary>0 when the TLS IRC listener is off (<c>Gateway:Irc:TlsPort</c> unset).</summary>
    public int IrcTlsPort => (IrcTls?.EndPoint as IPEndPoint)?.Port ?? 0;

    internal List<(Bridges.DevicePort Device, ListenOptions Listen)> Devices { get; } = [];

    /// <summary>The bound port of each device port (<c>Gateway:Listeners:N</c>), in configuration order.</summary>
    public IReadOnlyList<int> DevicePorts => [.. Devices.OrderBy(d => d.Device.Index).Select(d => (d.Listen.EndPoint as IPEndPoint)?.Port ?? 0)];

    /// <summary>0 when TLS is off (no certificate configured).</summary>
    public int TcpTlsPort { get; internal set; }
}
