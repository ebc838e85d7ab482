using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace SocketGateway.Core.Protocol;

/// <summary>Turns a decoded line's bytes into text, refusing what is not valid UTF-8.</summary>
public static class LineText
{
    public static bool TryDecode(in ReadOnlySequence<byte> line, out string text)
    {
        if (line.IsSingleSegment)
        {
            return TryDecode(line.FirstSpan, out text);
        }

        var rented = ArrayPool<byte>.Shared.Rent(checked((int)line.Length));
        try
        {
            line.CopyTo(rented);
            return TryDecode(rented.AsSpan(0, (int)line.Length), out text);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static bool TryDecode(ReadOnlySpan<byte> bytes, out string text)
    {
        if (!Utf8.IsValid(bytes))
        {
            text = "";
            return false;
        }

        text = Encoding.UTF8.GetString(bytes);
        return true;
    }
}
