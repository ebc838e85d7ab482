using System.Buffers;

namespace SocketGateway.Core.Tests.Protocol;

/// <summary>Input fed to a decoder the way a pipe reader would: in chunks, with what a read left unconsumed kept for the next.</summary>
internal static class PipeFeed
{
    /// <param name="read">Reads what it can from the buffer and says where it stopped.</param>
    public static void InChunks(byte[] input, IEnumerable<int> chunkSizes, Func<ReadOnlySequence<byte>, SequencePosition> read)
    {
        var pending = Array.Empty<byte>();
        var offset = 0;
        foreach (var size in chunkSizes.Append(int.MaxValue))
        {
            var take = Math.Min(size, input.Length - offset);
            pending = [.. pending, .. input.AsSpan(offset, take)];
            offset += take;
            var buffer = new ReadOnlySequence<byte>(pending);
            pending = buffer.Slice(read(buffer)).ToArray();
            if (offset == input.Length)
            {
                break;
            }
        }
    }
}
