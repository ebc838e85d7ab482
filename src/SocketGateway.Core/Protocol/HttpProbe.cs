using System.Buffers;

namespace SocketGateway.Core.Protocol;

/// <summary>Recognizes an HTTP request line sent to the chat port by mistake (a browser, curl, a scanner).</summary>
public static class HttpProbe
{
    private static readonly SearchValues<string> Methods = SearchValues.Create(
        ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "PRI"], StringComparison.Ordinal);

    /// <summary>True for <c>METHOD target HTTP/x.y</c>; a chat line that merely starts with "GET" is not one.</summary>
    public static bool IsRequestLine(string line)
    {
        var parts = line.Split(' ');
        return parts.Length == 3
            && Methods.Contains(parts[0])
            && parts[1].Length > 0
            && parts[2].StartsWith("HTTP/", StringComparison.Ordinal)
            && parts[2].Length == 8
            && char.IsAsciiDigit(parts[2][5]) && parts[2][6] == '.' && char.IsAsciiDigit(parts[2][7]);
    }
}
