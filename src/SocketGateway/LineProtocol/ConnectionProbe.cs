using System.IO.Pipelines;
using SocketGateway.Core.Protocol;

namespace SocketGateway.LineProtocol;

/// <summary>
/// Waits, for at most a short window, for a new connection's first bytes and says what they are
/// (<see cref="FirstBytes"/>), before the connection becomes a chat user: a scanner's HTTP request or an untrusted
/// PROXY header is refused without a welcome, and lobby members never see it come and go. Nothing is consumed: the
/// line reader reads the same bytes afterwards. A client that sends nothing is let in when the window ends.
/// </summary>
public static class ConnectionProbe
{
    /// <summary>What an HTTP request on a chat port is told.</summary>
    public const string HttpRefusalText = "this port speaks the chat line protocol, not HTTP; closing";

    /// <summary>What the probe saw; <see cref="ProbeResult.Gone"/> when the peer closed without sending anything.</summary>
    public static async ValueTask<ProbeResult> ReadAsync(PipeReader input, TimeSpan window, int maxLineBytes, TimeProvider time)
    {
        // The window ends by waking the pending read; a late wake-up after the probe is one the line reader ignores.
        using var timer = time.CreateTimer(static state => ((PipeReader)state!).CancelPendingRead(), input, window, Timeout.InfiniteTimeSpan);
        while (true)
        {
            var result = await input.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            var final = result.IsCompleted || result.IsCanceled;
            var kind = FirstBytes.Classify(buffer, final, maxLineBytes);
            var gone = result.IsCompleted && buffer.IsEmpty;
            input.AdvanceTo(buffer.Start, kind == FirstBytesKind.Undecided ? buffer.End : buffer.Start);
            if (kind != FirstBytesKind.Undecided)
            {
                return gone ? ProbeResult.Gone : kind switch
                {
                    FirstBytesKind.HttpRequest => ProbeResult.HttpRequest,
                    FirstBytesKind.ProxyHeader => ProbeResult.ProxyHeader,
                    _ => ProbeResult.Chat,
                };
            }
        }
    }

    /// <summary>The one line a refused connection is told, or null when it is let in.</summary>
    public static string? Refusal(ProbeResult result) => result switch
    {
        ProbeResult.HttpRequest => HttpRefusalText,
        ProbeResult.ProxyHeader => LineConnection.UntrustedProxyHeaderText,
        _ => null,
    };
}

/// <summary>What a connection's first bytes were.</summary>
public enum ProbeResult
{
    Chat,
    HttpRequest,
    ProxyHeader,

    /// <summary>The peer closed without a byte (a connect scan): it never becomes a user.</summary>
    Gone,
}
