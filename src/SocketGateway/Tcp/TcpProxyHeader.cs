using System.IO.Pipelines;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Tcp;

/// <summary>
/// The PROXY protocol header (v1 and v2) a peer in <c>Gateway:TrustedProxies</c> must start with (the
/// specification forbids guessing), within the header timeout. Any other peer never gets here: a header it starts
/// with is refused by the line reader (<see cref="LineProtocol.LineInputGuards.RefuseProxyHeader"/>).
/// </summary>
internal static class TcpProxyHeader
{
    /// <summary>Reads the header and consumes it; <see cref="ProxyHeaderStatus.Incomplete"/> means none came in time.</summary>
    public static async Task<(ProxyHeaderStatus Status, ProxyHeader Header)> ReadAsync(PipeReader input, TimeSpan timeout, TimeProvider time)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(deadline.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var status = ProxyProtocol.TryParse(buffer, out var header, out var consumed);
                if (status == ProxyHeaderStatus.Incomplete && !result.IsCompleted)
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
    }

    /// <summary>What a proxy that sent no valid header is told before the connection closes.</summary>
    public static string Describe(ProxyHeaderStatus status, TimeSpan timeout) => status == ProxyHeaderStatus.Incomplete
        ? $"no PROXY protocol header within {timeout.TotalSeconds} s; closing"
        : "expected a valid PROXY protocol header from this proxy; closing";
}
