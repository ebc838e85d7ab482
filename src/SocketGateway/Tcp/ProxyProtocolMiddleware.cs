using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using SocketGateway.Core;
using SocketGateway.Core.Limits;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Tcp;

/// <summary>
/// The PROXY protocol (v1 and v2) on the TCP listeners, first in the connection pipeline so that the connection
/// guard, the per-address limits and <c>/api/users</c> see the real client. A peer in <c>Gateway:TrustedProxies</c>
/// must start with a header (the specification forbids guessing), within the header timeout; without a valid
/// one it is told one line and closed. Any other peer that starts with a valid header is refused by the line reader
/// (<see cref="LineProtocol.LineInputGuards.RefuseProxyHeader"/>), after its welcome: its header is never believed
/// and never relayed as chat; nothing is wrapped around its input for that.
/// </summary>
public static class ProxyProtocolMiddleware
{
    public static ListenOptions UseProxyProtocol(this ListenOptions listen, TimeSpan headerTimeout)
    {
        var trusted = listen.ApplicationServices.GetRequiredService<TrustedProxyList>();
        var time = listen.ApplicationServices.GetRequiredService<TimeProvider>();
        // Any other peer goes straight on: the line reader refuses a header it starts with (LineInputGuards).
        listen.Use(next => connection => trusted.Contains((connection.RemoteEndPoint as IPEndPoint)?.Address)
            ? AcceptFromProxyAsync(connection, next, headerTimeout, time)
            : next(connection));
        return listen;
    }

    private static async Task AcceptFromProxyAsync(ConnectionContext connection, ConnectionDelegate next, TimeSpan headerTimeout, TimeProvider time)
    {
        var (status, header) = await ReadHeaderAsync(connection, headerTimeout, time).ConfigureAwait(false);
        if (status != ProxyHeaderStatus.Header)
        {
            var reason = status == ProxyHeaderStatus.Incomplete
                ? $"no PROXY protocol header within {headerTimeout.TotalSeconds} s; closing"
                : "expected a valid PROXY protocol header from this proxy; closing";
            await TcpConnectionLimits.RefuseAsync(connection, ErrorCodes.BadArgument, reason).ConfigureAwait(false);
            return;
        }

        if (header.Source is { } source)
        {
            connection.RemoteEndPoint = source;
        }

        await next(connection).ConfigureAwait(false);
    }

    private static async Task<(ProxyHeaderStatus Status, ProxyHeader Header)> ReadHeaderAsync(ConnectionContext connection, TimeSpan timeout, TimeProvider time)
    {
        var input = connection.Transport.Input;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, connection.ConnectionClosed);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(stop.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var status = ProxyProtocol.TryParse(buffer, out var header, out var consumed);
                if (status == ProxyHeaderStatus.Incomplete && !result.IsCompleted && !result.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                input.AdvanceTo(status == ProxyHeaderStatus.Header ? consumed : buffer.Start);
                return (status == ProxyHeaderStatus.Incomplete ? ProxyHeaderStatus.Invalid : status, header);
            }
        }
        catch (OperationCanceledException)
        {
            return (ProxyHeaderStatus.Incomplete, default);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ConnectionAbortedException)
        {
            return (ProxyHeaderStatus.Invalid, default);
        }
    }
}
