using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using SocketGateway.Core;
using SocketGateway.Core.Limits;

namespace SocketGateway.Tcp;

/// <summary>
/// Connection middleware of the TCP listeners, before the chat handler: TCP keep-alive on the socket (so a
/// half-open peer is found), then admission by the <see cref="ConnectionGuard"/>. A refused connection is told one
/// line (<c>! rate_limited: …</c>) and closed without ever becoming a chat user.
/// </summary>
public static class TcpConnectionLimits
{
    public static ListenOptions UseConnectionLimits(this ListenOptions listen, TimeSpan keepAlive)
    {
        var guard = listen.ApplicationServices.GetRequiredService<ConnectionGuard>();
        listen.Use(next => async connection =>
        {
            EnableKeepAlive(connection, keepAlive);
            var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
            var admission = guard.TryAdmit(address, out var lease);
            if (admission != Admission.Admitted)
            {
                await RefuseAsync(connection, ErrorCodes.RateLimited, ConnectionGuard.Describe(admission)).ConfigureAwait(false);
                return;
            }

            using (lease)
            {
                await next(connection).ConfigureAwait(false);
            }
        });
        return listen;
    }

    /// <summary>Tells a connection that never became a chat user why, in one error line, then closes it.</summary>
    internal static async Task RefuseAsync(ConnectionContext connection, string code, string text)
    {
        try
        {
            var line = Encoding.UTF8.GetBytes($"! {code}: {text}\n");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await connection.Transport.Output.WriteAsync(line, timeout.Token).ConfigureAwait(false);
            await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException)
        {
        }
    }

    private static void EnableKeepAlive(ConnectionContext connection, TimeSpan keepAlive)
    {
        if (keepAlive <= TimeSpan.Zero || connection.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            return;
        }

        try
        {
            // Probe after keepAlive of silence, then every 10 s; 3 lost probes end the connection.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, (int)Math.Max(1, keepAlive.TotalSeconds));
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 10);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
        }
        catch (SocketException)
        {
            // A platform without these options still gets the other defences.
        }
    }
}
