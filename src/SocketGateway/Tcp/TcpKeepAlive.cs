using System.Net.Sockets;

namespace SocketGateway.Tcp;

/// <summary>TCP keep-alive on a chat socket, so that a half-open peer (gone without a FIN) is found and its slot freed.</summary>
internal static class TcpKeepAlive
{
    public static void Enable(Socket socket, TimeSpan idle)
    {
        if (idle <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            // Probe after `idle` of silence, then every 10 s; 3 lost probes end the connection.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, (int)Math.Max(1, idle.TotalSeconds));
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 10);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
        }
        catch (SocketException)
        {
            // A platform without these options still gets the other defences.
        }
    }
}
