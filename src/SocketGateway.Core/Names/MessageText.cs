using System.Text;

namespace SocketGateway.Core.Names;

/// <summary>Message text rules: 1–2000 code points after trimming Unicode white space.</summary>
public static class MessageText
{
    public const int MaxCodePoints = 2000;

    /// <summary>Returns the trimmed text that is relayed and stored, or throws the contract's error.</summary>
    public static string Normalize(string? text)
    {
        // char.IsWhiteSpace is exactly Unicode White_Space, which is what string.Trim() removes.
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            throw new ChatException(ErrorCodes.BadArgument, "the message is empty");
        }

        if (trimmed.Length > MaxCodePoints && CountCodePoints(trimmed) > MaxCodePoints)
        {
            throw new ChatException(ErrorCodes.MessageTooLong,
                $"the message is longer than {MaxCodePoints} characters");
        }

        return trimmed;
    }

    private static int CountCodePoints(string s)
    {
        var count = 0;
        foreach (var _ in s.EnumerateRunes())
        {
            count++;
        }

        return count;
    }
}
