namespace SocketGateway.Core.Names;

/// <summary>Room rules: 1–32 of a-z 0-9 _ -, case-insensitive (stored lower-case), a leading '#' dropped.</summary>
public static class RoomName
{
    public const int MaxLength = 32;
    public const string Lobby = "lobby";

    public static bool TryNormalize(string? input, out string name)
    {
        name = "";
        if (string.IsNullOrEmpty(input))
        {
            return false;
        }

        var span = input.AsSpan();
        if (span[0] == '#')
        {
            span = span[1..];
        }

        if (span.IsEmpty || span.Length > MaxLength)
        {
            return false;
        }

        Span<char> lower = stackalloc char[span.Length];
        for (var i = 0; i < span.Length; i++)
        {
            var c = char.ToLowerInvariant(span[i]);
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_' || c == '-'))
            {
                return false;
            }

            lower[i] = c;
        }

        name = lower.SequenceEqual(span) && span.Length == input.Length ? input : new string(lower);
        return true;
    }

    public static string Require(string? input) =>
        TryNormalize(input, out var name) ? name : throw new ChatException(ErrorCodes.InvalidRoom,
            $"'{NickName.Printable(input)}' is not a valid room name (1-32 of a-z 0-9 _ -)");
}
