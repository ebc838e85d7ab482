using System.Buffers;

namespace SocketGateway.Core.Protocol;

public enum LineStatus
{
    /// <summary>No complete line yet: read more input.</summary>
    Incomplete,

    /// <summary>A line was read (without its terminator).</summary>
    Line,

    /// <summary>A line exceeded the byte limit; it is being discarded up to its terminator.</summary>
    TooLong,
}

/// <summary>
/// Splits a byte stream into '\n'-terminated lines, dropping a '\r' before the '\n' (or into lines ended by another
/// <paramref name="terminator"/>, a bridge's NUL framing, taken as they are). The limit counts UTF-8
/// bytes without the terminator. The only state carried between calls is whether the rest of an overlong line
/// is being skipped, so any segmentation of the input yields the same lines and the same errors, and at most
/// <c>maxLineBytes + 1</c> bytes are ever left buffered.
/// </summary>
public struct LineDecoder(int maxLineBytes, byte terminator = (byte)'\n')
{
    private bool _discarding;

    public readonly int MaxLineBytes => maxLineBytes;

    /// <summary>True while the rest of an overlong line is being skipped: a line is in progress.</summary>
    public readonly bool IsDiscarding => _discarding;

    public LineStatus TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> line)
    {
        line = default;
        if (_discarding)
        {
            if (!reader.TryAdvanceTo(terminator))
            {
                reader.AdvanceToEnd();
                return LineStatus.Incomplete;
            }

            _discarding = false;
        }

        if (reader.TryReadTo(out ReadOnlySequence<byte> candidate, terminator))
        {
            if (terminator == (byte)'\n' && !candidate.IsEmpty && EndsWithCarriageReturn(candidate))
            {
                candidate = candidate.Slice(0, candidate.Length - 1);
            }

            if (maxLineBytes > 0 && candidate.Length > maxLineBytes)
            {
                return LineStatus.TooLong;
            }

            line = candidate;
            return LineStatus.Line;
        }

        // One byte of slack: a '\r' waiting for its '\n' does not count toward the limit.
        if (maxLineBytes > 0 && reader.Remaining > maxLineBytes + 1L)
        {
            _discarding = true;
            reader.AdvanceToEnd();
            return LineStatus.TooLong;
        }

        return LineStatus.Incomplete;
    }

    private static bool EndsWithCarriageReturn(in ReadOnlySequence<byte> sequence) =>
        sequence.Slice(sequence.Length - 1).FirstSpan[0] == (byte)'\r';
}
