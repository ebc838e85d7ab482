using System.IO.Pipelines;
using System.Text;

namespace SocketGateway.Irc;

/// <summary>
/// Lines to one IRC client. Replies to its commands and the room events its pump writes share the pipe, so each
/// write takes the lock; a line is cut to the 512 bytes IRC allows (with its CRLF).
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

    private void Append(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var length = bytes.Length;
        if (length > MaxLineBytes - 2)
        {
            // Cut at a character boundary: a continuation byte is never the first one kept out.
            length = MaxLineBytes - 2;
            while (length > 0 && (bytes[length] & 0xC0) == 0x80)
            {
                length--;
            }
        }

        var span = output.GetSpan(length + 2);
        bytes.AsSpan(0, length).CopyTo(span);
        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        output.Advance(length + 2);
    }
}
