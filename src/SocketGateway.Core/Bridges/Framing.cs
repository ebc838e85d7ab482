using System.Buffers;
using System.Buffers.Binary;

namespace SocketGateway.Core.Bridges;

/// <summary>How frames are cut out of a bridged or device socket's bytes, and how the room's messages are written to it.</summary>
public enum Framing
{
    /// <summary>Each frame ends with <c>\n</c> (a <c>\r</c> before it is dropped).</summary>
    Lf,

    /// <summary>Each frame ends with <c>\r\n</c> when written; read like <see cref="Lf"/>, since a bare <c>\n</c> from a lax service is a frame too.</summary>
    Crlf,

    /// <summary>Each frame ends with a zero byte.</summary>
    Nul,

    /// <summary>Each frame is a 4-byte big-endian length, then that many bytes.</summary>
    Lp32,
}

public static class Framings
{
    /// <summary>The contract's names, in the order they are listed in errors.</summary>
    public static readonly IReadOnlyList<string> Names = ["lf", "crlf", "nul", "lp32"];

    public static bool TryParse(string? name, out Framing framing)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "lf":
                framing = Framing.Lf;
                return true;
            case "crlf":
                framing = Framing.Crlf;
                return true;
            case "nul":
                framing = Framing.Nul;
                return true;
            case "lp32":
                framing = Framing.Lp32;
                return true;
            default:
                framing = default;
                return false;
        }
    }

    /// <summary>A framing named in a request or configuration, or bad_argument naming the allowed ones.</summary>
    public static Framing Require(string? name) => TryParse(name, out var framing)
        ? framing
        : throw new ChatException(ErrorCodes.BadArgument, $"framing must be one of {string.Join(", ", Names)}");

    public static string Name(this Framing framing) => Names[(int)framing];

    /// <summary>Writes one frame; returns the bytes written, framing included.</summary>
    public static int Write(IBufferWriter<byte> output, Framing framing, ReadOnlySpan<byte> payload)
    {
        ReadOnlySpan<byte> suffix = framing switch
        {
            Framing.Lf => "\n"u8,
            Framing.Crlf => "\r\n"u8,
            Framing.Nul => [0],
            _ => [],
        };
        var prefix = framing == Framing.Lp32 ? sizeof(uint) : 0;
        var total = prefix + payload.Length + suffix.Length;
        var span = output.GetSpan(total);
        if (prefix > 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span, (uint)payload.Length);
        }

        payload.CopyTo(span[prefix..]);
        suffix.CopyTo(span[(prefix + payload.Length)..]);
        output.Advance(total);
        return total;
    }
}
