using System.Net;

namespace SocketGateway.Hosting;

public static class HttpPeer
{
    /// <summary>The peer of an HTTP connection (after the trusted-proxy rules), as the chat core takes it from every transport.</summary>
    public static IPEndPoint? RemoteEndPoint(this ConnectionInfo connection) =>
        connection.RemoteIpAddress is { } address ? new IPEndPoint(address, connection.RemotePort) : null;
}
