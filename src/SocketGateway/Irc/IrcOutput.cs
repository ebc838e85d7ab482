using System.IO.Pipelines;
using System.Text;

namespace SocketGateway.Irc;

/// <summary>
/// Lines to one IRC client. Replies to its commands and the room events its pump writes share the pipe, so each
/// write takes the lock; a line is cut to the 512 bytes IRC allows (with its CRLF, after its tags).
/// </summary>
public sealed class IrcOutput(PipeWriter output)
{
    public const int MaxLineBytes = 512;

    private readonly SemaphoreSlim _lock = new(1, 1);

    public async Task WriteAsync(IEnumerable<string> lines, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var line in lines)
            {
                Append(line);
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public Task WriteAsync(string line, CancellationToken cancellationToken = default) => WriteAsync([line], cancellationToken);

    /// <summary>Bytes that are no IRC line (the refusals of a telnet client's option requests).</summary>
    public async Task WriteBytesAsync(byte[] bytes)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            await output.WriteAsync(bytes).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Lines already encoded (each with its CRLF), written together with one flush.</summary>
    public async Task WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> encoded)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var bytes in encoded)
            {
                bytes.Span.CopyTo(output.GetSpan(bytes.Length));
                output.Advance(bytes.Length);
            }

            await output.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A line as it goes on the wire: UTF-8, cut to the limit, with its CRLF.</summary>
    public static byte[] Encode(string line)
    {
        var buffer = new byte[Encoding.UTF8.GetMaxByteCount(line.Length) + 2];
        return buffer.AsSpan(0, Encode(line, buffer)).ToArray();
    }

    private void Append(string line)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(line.Length) + 2);
        output.Advance(Encode(line, span));
    }

    // Encoded straight into the destination, then cut back to the limit if it is longer; returns the bytes written.
    private static int Encode(string line, Span<byte> span)
    {
        var length = Encoding.UTF8.GetBytes(line, span);
        // Message tags have a budget of their own: the 512 bytes start after them.
        var tags = length > 0 && span[0] == (byte)'@' ? span[..length].IndexOf((byte)' ') + 1 : 0;
        if (length - tags > MaxLineBytes - 2)
        {
            // Cut at a character boundary: a continuation byte is never the first one kept out.
            length = tags + MaxLineBytes - 2;
            while (length > 0 && (span[length] & 0xC0) == 0x80)
            {
                length--;
            }
        }

        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        return length + 2;
    }
}
