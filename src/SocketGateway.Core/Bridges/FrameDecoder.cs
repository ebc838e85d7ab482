using System.Buffers;
using System.Buffers.Binary;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Core.Bridges;

/// <summary>
/// Cuts a bridged or device socket's bytes into frames in its <see cref="Framing"/>. The delimited framings are the
/// chat port's own <see cref="LineDecoder"/> (with NUL as the terminator for <see cref="Framing.Nul"/>); a
/// length-prefixed frame over the limit is skipped across reads without being held, as an over-long line is.
/// </summary>
public sealed class FrameDecoder
{
    private readonly int _maxFrameBytes;
    private LineDecoder _lines;
    private long _lengthToSkip;

    public FrameDecoder(Framing framing, int maxFrameBytes)
    {
        Framing = framing;
        _maxFrameBytes = maxFrameBytes;
        _lines = new LineDecoder(maxFrameBytes, framing == Framing.Nul ? (byte)0 : (byte)'\n');
    }

    public Framing Framing { get; }

    public LineStatus TryRead(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> frame)
    {
        if (Framing != Framing.Lp32)
        {
            return _lines.TryReadLine(ref reader, out frame);
        }

        frame = default;
        if (_lengthToSkip > 0)
        {
            var skipped = Math.Min(_lengthToSkip, reader.Remaining);
            reader.Advance(skipped);
            _lengthToSkip -= skipped;
            if (_lengthToSkip > 0)
            {
                return LineStatus.Incomplete;
            }
        }

        Span<byte> header = stackalloc byte[sizeof(uint)];
        if (!reader.TryCopyTo(header))
        {
            return LineStatus.Incomplete;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > _maxFrameBytes)
        {
            reader.Advance(sizeof(uint));
            var skipped = Math.Min(length, reader.Remaining);
            reader.Advance(skipped);
            _lengthToSkip = length - skipped;
            return LineStatus.TooLong;
        }

        if (reader.Remaining < sizeof(uint) + length)
        {
            return LineStatus.Incomplete;
        }

        reader.Advance(sizeof(uint));
        frame = reader.UnreadSequence.Slice(0, length);
        reader.Advance(length);
        return LineStatus.Line;
    }
}
