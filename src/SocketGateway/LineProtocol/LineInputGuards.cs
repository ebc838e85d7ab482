namespace SocketGateway.LineProtocol;

/// <summary>What the line reader checks in a connection's raw input before (and while) it reads lines.</summary>
[Flags]
public enum LineInputGuards
{
    None = 0,

    /// <summary>A first line that is an HTTP request line ends the connection (a browser or scanner on the chat port).</summary>
    RefuseHttp = 1,

    /// <summary>
    /// A PROXY protocol header at the very start ends the connection: it reached the reader, so its peer is no
    /// trusted proxy (a trusted proxy's header is consumed before). Its address is never believed.
    /// </summary>
    RefuseProxyHeader = 2,

    /// <summary>Telnet negotiation is consumed and refused, never read as chat (see <see cref="TelnetInput"/>).</summary>
    FilterTelnet = 4,

    /// <summary>Everything a raw TCP port needs.</summary>
    Tcp = RefuseHttp | RefuseProxyHeader | FilterTelnet,
}
