using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SocketGateway.Core.Protocol;

/// <summary>What the start of a connection's input is, as far as the PROXY protocol is concerned.</summary>
public enum ProxyHeaderStatus
{
    /// <summary>More bytes are needed to decide.</summary>
    Incomplete,

    /// <summary>The input does not start with a PROXY protocol signature.</summary>
    NotProxy,

    /// <summary>It starts like a PROXY header but is not a valid one (or is too long).</summary>
    Invalid,

    /// <summary>A complete, valid header; the reader has moved past it.</summary>
    Header,
}

/// <summary>
/// A parsed PROXY protocol header. <see cref="Source"/> is null for v1 <c>UNKNOWN</c>, v2 <c>LOCAL</c> and address
/// families other than IPv4/IPv6: the connection's own peer address stands then, as the specification says.
/// </summary>
public readonly record struct ProxyHeader(int Version, IPEndPoint? Source, IPEndPoint? Destination);

/// <summary>
/// The PROXY protocol (HAProxy, versions 1 and 2), parsed as a pure function over bytes in the style of the line
/// decoder: any segmentation of the input gives the same answer, and nothing is consumed until a whole header is
/// there. At most <see cref="MaxV1Length"/> bytes (v1) or 16 + <see cref="MaxV2AddressLength"/> bytes (v2) are
/// ever looked at, so a hostile peer cannot make the caller buffer more.
/// </summary>
public static class ProxyProtocol
{
    /// <summary>The longest v1 header, CRLF included (the specification's bound).</summary>
    public const int MaxV1Length = 107;

    /// <summary>The longest v2 address block (addresses and TLVs) accepted; the proxies in use send far less.</summary>
    public const int MaxV2AddressLength = 2048;

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>Parses a header at the start of <paramref name="input"/>; <paramref name="consumed"/> is past it on <see cref="ProxyHeaderStatus.Header"/>.</summary>
    public static ProxyHeaderStatus TryParse(ReadOnlySequence<byte> input, out ProxyHeader header, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(input);
        var status = TryParse(ref reader, out header);
        consumed = reader.Position;
        return status;
    }

    /// <summary>Parses a header at the reader's position; only on <see cref="ProxyHeaderStatus.Header"/> does the reader move.</summary>
    public static ProxyHeaderStatus TryParse(ref SequenceReader<byte> reader, out ProxyHeader header)
    {
        header = default;
        Span<byte> start = stackalloc byte[16];
        var available = (int)Math.Min(reader.Remaining, start.Length);
        reader.TryCopyTo(start[..available]);
        var head = start[..available];

        if (StartsLike(head, V1Prefix) is { } v1)
        {
            return v1 ? ParseV1(ref reader, out header) : ProxyHeaderStatus.Incomplete;
        }

        if (StartsLike(head, V2Signature) is { } v2)
        {
            return v2 ? ParseV2(ref reader, out header) : ProxyHeaderStatus.Incomplete;
        }

        return ProxyHeaderStatus.NotProxy;
    }

    // true: the whole signature is there; false: what is there is a prefix of it; null: it is not this signature.
    private static bool? StartsLike(ReadOnlySpan<byte> head, ReadOnlySpan<byte> signature)
    {
        var n = Math.Min(head.Length, signature.Length);
        if (n == 0)
        {
            return false;
        }

        return head[..n].SequenceEqual(signature[..n]) ? n == signature.Length : null;
    }

    private static ProxyHeaderStatus ParseV1(ref SequenceReader<byte> reader, out ProxyHeader header)
    {
        header = default;
        var probe = reader;
        if (!probe.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n', advancePastDelimiter: true))
        {
            return reader.Remaining >= MaxV1Length ? ProxyHeaderStatus.Invalid : ProxyHeaderStatus.Incomplete;
        }

        if (line.Length + 1 > MaxV1Length || line.Length == 0 || line.Slice(line.Length - 1).FirstSpan[0] != '\r')
        {
            return ProxyHeaderStatus.Invalid;
        }

        Span<byte> bytes = stackalloc byte[MaxV1Length];
        line.Slice(0, line.Length - 1).CopyTo(bytes);
        var text = Encoding.ASCII.GetString(bytes[..(int)(line.Length - 1)]);
        var parts = text.Split(' ');
        if (parts.Length >= 2 && parts[1] == "UNKNOWN")
        {
            header = new ProxyHeader(1, null, null);
        }
        else if (parts.Length == 6 && parts[1] is "TCP4" or "TCP6"
            && TryAddress(parts[2], parts[1] == "TCP4", out var source)
            && TryAddress(parts[3], parts[1] == "TCP4", out var destination)
            && TryPort(parts[4], out var sourcePort)
            && TryPort(parts[5], out var destinationPort))
        {
            header = new ProxyHeader(1, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
        }
        else
        {
            return ProxyHeaderStatus.Invalid;
        }

        reader = probe;
        return ProxyHeaderStatus.Header;
    }

    private static bool TryAddress(string text, bool v4, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Length == 0 || (v4 && text.Count(c => c == '.') != 3) || (!v4 && !text.Contains(':', StringComparison.Ordinal))
            || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        address = parsed;
        return parsed.AddressFamily == (v4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6);
    }

    private static bool TryPort(string text, out int port)
    {
        port = 0;
        return text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0')
            && int.TryParse(text, out port) && port <= IPEndPoint.MaxPort;
    }

    private static ProxyHeaderStatus ParseV2(ref SequenceReader<byte> reader, out ProxyHeader header)
    {
        header = default;
        if (reader.Remaining < 16)
        {
            return ProxyHeaderStatus.Incomplete;
        }

        Span<byte> fixedPart = stackalloc byte[16];
        reader.TryCopyTo(fixedPart);
        var version = fixedPart[12] >> 4;
        var command = fixedPart[12] & 0x0F;
        var family = fixedPart[13] >> 4;
        var transport = fixedPart[13] & 0x0F;
        var length = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[14..]);
        if (version != 2 || command > 1 || family > 3 || transport > 2 || length > MaxV2AddressLength)
        {
            return ProxyHeaderStatus.Invalid;
        }

        if (reader.Remaining < 16 + length)
        {
            return ProxyHeaderStatus.Incomplete;
        }

        Span<byte> block = stackalloc byte[length];
        reader.Sequence.Slice(reader.Position).Slice(16, length).CopyTo(block);
        IPEndPoint? source = null;
        IPEndPoint? destination = null;

        // LOCAL (a proxy's own health check) and the unix/unspecified families keep the peer's own address.
        if (command == 1 && family is 1 or 2)
        {
            var size = family == 1 ? 4 : 16;
            if (length < (2 * size) + 4)
            {
                return ProxyHeaderStatus.Invalid;
            }

            source = new IPEndPoint(new IPAddress(block[..size]), BinaryPrimitives.ReadUInt16BigEndian(block[(2 * size)..]));
            destination = new IPEndPoint(new IPAddress(block[size..(2 * size)]), BinaryPrimitives.ReadUInt16BigEndian(block[((2 * size) + 2)..]));
        }

        reader.Advance(16 + length);
        header = new ProxyHeader(2, source, destination);
        return ProxyHeaderStatus.Header;
    }
}
