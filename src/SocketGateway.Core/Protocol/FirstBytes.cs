using System.Buffers;
using System.Text;

namespace SocketGateway.Core.Protocol;

/// <summary>What a new connection's first bytes say it is, before it becomes a chat user.</summary>
public enum FirstBytesKind
{
    /// <summary>They could still become an HTTP request line or a PROXY header: wait for more.</summary>
    Undecided,

    /// <summary>A chat client (or anything else the line reader deals with): let it in.</summary>
    Chat,

    /// <summary>An HTTP request line (a browser, curl, a scanner on the chat port).</summary>
    HttpRequest,

    /// <summary>A complete, valid PROXY protocol header.</summary>
    ProxyHeader,
}

/// <summary>
/// Classifies the first bytes of a connection as a pure function of those bytes, so that a port scanner or a
/// misdirected browser is refused before it is a lobby member. Only input that could still be a PROXY header or an
/// HTTP request line (<c>GET /…</c>) is <see cref="FirstBytesKind.Undecided"/>: anything else (a chat line being
/// typed, a TLS ClientHello) is decided at its first byte, so a chat client waits only when it sends nothing.
/// </summary>
public static class FirstBytes
{
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "PRI"];

    /// <param name="final">No more bytes will be waited for (the window passed, the input ended): decide now.</param>
    /// <param name="maxLineBytes">The line limit: an undecided request line longer than it is chat (and too long).</param>
    public static FirstBytesKind Classify(ReadOnlySequence<byte> input, bool final, int maxLineBytes)
    {
        switch (ProxyProtocol.TryParse(input, out _, out _))
        {
            case ProxyHeaderStatus.Header:
                return FirstBytesKind.ProxyHeader;
            case ProxyHeaderStatus.Incomplete when !input.IsEmpty && !final:
                return FirstBytesKind.Undecided;
        }

        if (input.PositionOf((byte)'\n') is { } end)
        {
            var line = Encoding.Latin1.GetString(input.Slice(0, end)).TrimEnd('\r');
            return HttpProbe.IsRequestLine(line) ? FirstBytesKind.HttpRequest : FirstBytesKind.Chat;
        }

        return final || input.Length > maxLineBytes || !CouldStartRequestLine(input)
            ? FirstBytesKind.Chat
            : FirstBytesKind.Undecided;
    }

    // Nothing yet, a prefix of "METHOD ", or "METHOD " and more of a line.
    private static bool CouldStartRequestLine(ReadOnlySequence<byte> input)
    {
        Span<byte> head = stackalloc byte[8];
        var length = (int)Math.Min(input.Length, head.Length);
        input.Slice(0, length).CopyTo(head);
        head = head[..length];
        foreach (var method in Methods)
        {
            if (StartsLike(head, method))
            {
                return true;
            }
        }

        return false;
    }

    // Whether head and "method " agree as far as both go.
    private static bool StartsLike(ReadOnlySpan<byte> head, string method)
    {
        for (var i = 0; i < head.Length && i <= method.Length; i++)
        {
            if (head[i] != (i == method.Length ? (byte)' ' : (byte)method[i]))
            {
                return false;
            }
        }

        return true;
    }
}
