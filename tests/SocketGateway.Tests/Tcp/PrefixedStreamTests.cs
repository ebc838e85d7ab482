using SocketGateway.Tcp;

namespace SocketGateway.Tests.Tcp;

public sealed class PrefixedStreamTests
{
    [Fact]
    public async Task A_zero_byte_read_is_answered_at_once_while_prefix_bytes_wait()
    {
        // An inner stream that would never answer: only the prefix can.
        using var never = new NeverReadable();
        await using var stream = new PrefixedStream(new byte[] { 1, 2, 3 }, never);
        var zero = stream.ReadAsync(Memory<byte>.Empty);
        Assert.True(zero.IsCompleted);
        Assert.Equal(0, await zero);

        var buffer = new byte[8];
        Assert.Equal(3, await stream.ReadAsync(buffer));
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer[..3]);
        var pending = stream.ReadAsync(buffer).AsTask(); // now the inner stream's turn
        Assert.False(pending.IsCompleted);
    }

    private sealed class NeverReadable : MemoryStream
    {
        private readonly TaskCompletionSource<int> _never = new();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(_never.Task);
    }
}
