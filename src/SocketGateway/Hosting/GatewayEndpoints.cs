using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace SocketGateway.Hosting;

/// <summary>The listeners as bound: with port 0 in configuration, this is where the chosen ports are read back.</summary>
public sealed class GatewayEndpoints
{
    internal ListenOptions? Http { get; set; }

    internal ListenOptions? Tcp { get; set; }

    internal ListenOptions? TcpTls { get; set; }

    public int HttpPort => PortOf(Http);

    public int TcpPort => PortOf(Tcp);

    /// <summary>0 when TLS is off (no certificate configured).</summary>
    public int TcpTlsPort => PortOf(TcpTls);

    private static int PortOf(ListenOptions? listen) => (listen?.EndPoint as IPEndPoint)?.Port ?? 0;
}
