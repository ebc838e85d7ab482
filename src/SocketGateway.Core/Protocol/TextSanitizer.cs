using System.Buffers;

namespace SocketGateway.Core.Protocol;

/// <summary>
/// Makes relayed text safe for a terminal in text format: line breaks become U+2424, TAB a space, and every
/// other control character U+FFFD, so that one event stays one line and no escape sequence reaches a terminal.
/// </summary>
public static class TextSanitizer
{
    public const char LineBreakMark = '\u2424';
    public const char Replacement = '\uFFFD';

    private static readonly SearchValues<char> NeedsWork = SearchValues.Create(BuildNeedsWork());

    public static string Sanitize(string text)
    {
        var first = text.AsSpan().IndexOfAny(NeedsWork);
        if (first < 0)
        {
            return text;
        }

        return string.Create(LengthAfter(text, first), (text, first), static (dest, state) =>
        {
            var (source, start) = state;
            source.AsSpan(0, start).CopyTo(dest);
            var w = start;
            for (var i = start; i < source.Length; i++)
            {
                var c = source[i];
                if (c == '\r' && i + 1 < source.Length && source[i + 1] == '\n')
                {
                    i++;
                }

                dest[w++] = Map(c);
            }
        });
    }

    private static int LengthAfter(string text, int first)
    {
        var length = text.Length;
        for (var i = first; i < text.Length - 1; i++)
        {
            if (text[i] == '\r' && text[i + 1] == '\n')
            {
                length--;
                i++;
            }
        }

        return length;
    }

    private static char Map(char c) => c switch
    {
        '\r' or '\n' or '\u0085' or '\u2028' or '\u2029' => LineBreakMark,
        '\t' => ' ',
        _ when char.IsControl(c) => Replacement,
        _ => c,
    };

    private static char[] BuildNeedsWork()
    {
        var chars = new List<char>();
        for (var c = '\0'; c <= '\u009F'; c++)
        {
            if (char.IsControl(c))
            {
                chars.Add(c);
            }
        }

        chars.Add('\u2028');
        chars.Add('\u2029');
        return [.. chars];
    }
}
