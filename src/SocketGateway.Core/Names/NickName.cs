namespace SocketGateway.Core.Names;

/// <summary>Nick rules: 1–24 ASCII letters, digits, '_' or '-', starting with a letter.</summary>
public static class NickName
{
    public const int MaxLength = 24;

    public static bool IsValid(string? nick)
    {
        if (string.IsNullOrEmpty(nick) || nick.Length > MaxLength || !char.IsAsciiLetter(nick[0]))
        {
            return false;
        }

        foreach (var c in nick)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    public static string Require(string? nick) =>
        IsValid(nick) ? nick! : throw new ChatException(ErrorCodes.InvalidNick,
            $"'{Printable(nick)}' is not a valid nick (1-24 letters, digits, _ or -, starting with a letter)");

    internal static string Printable(string? s) =>
        s is null ? "" : s.Length > 40 ? string.Concat(s.AsSpan(0, 40), "…") : s;
}
