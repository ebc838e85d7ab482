namespace SocketGateway.Irc;

/// <summary>
/// One IRC line as the modern IRC documentation describes it: <c>[@tags] [:source] COMMAND params... [:trailing]</c>.
/// Tags and the source a client sends are read past (a client's own source means nothing to a server).
/// </summary>
public sealed record IrcMessage(string Command, IReadOnlyList<string> Params)
{
    /// <summary>Null for a line with no command (blank, or only tags and a source).</summary>
    public static IrcMessage? Parse(string line)
    {
        var rest = line.AsSpan().TrimStart(' ');
        if (rest.StartsWith("@"))
        {
            rest = SkipWord(rest);
        }

        if (rest.StartsWith(":"))
        {
            rest = SkipWord(rest);
        }

        var parameters = new List<string>();
        string? command = null;
        while (!rest.IsEmpty)
        {
            if (command is not null && rest[0] == ':')
            {
                parameters.Add(rest[1..].ToString());
                break;
            }

            var end = rest.IndexOf(' ');
            var word = end < 0 ? rest : rest[..end];
            if (command is null)
            {
                command = word.ToString().ToUpperInvariant();
            }
            else
            {
                parameters.Add(word.ToString());
            }

            rest = end < 0 ? [] : rest[(end + 1)..].TrimStart(' ');
        }

        return command is null ? null : new IrcMessage(command, parameters);
    }

    public string? Param(int index) => index < Params.Count ? Params[index] : null;

    private static ReadOnlySpan<char> SkipWord(ReadOnlySpan<char> text)
    {
        var end = text.IndexOf(' ');
        return end < 0 ? [] : text[(end + 1)..].TrimStart(' ');
    }
}
