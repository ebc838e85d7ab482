namespace SocketGateway.Core.Names;

/// <summary>Topic rules: at most 200 characters, no control characters; empty means no topic.</summary>
public static class TopicText
{
    public const int MaxLength = 200;

    public static string? Normalize(string? topic)
    {
        var trimmed = topic?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (trimmed.Length > MaxLength)
        {
            throw new ChatException(ErrorCodes.BadArgument, $"a topic is at most {MaxLength} characters");
        }

        foreach (var c in trimmed)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                throw new ChatException(ErrorCodes.BadArgument, "a topic may not contain control characters");
            }
        }

        return trimmed;
    }
}
