using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace SocketGateway.Tcp;

/// <summary>
/// A <see cref="PipeWriter"/> straight over a non-blocking socket, for the plain chat port. Bytes gather in one
/// pooled buffer; a flush sends them with non-blocking sends and returns the buffer, so an idle connection holds
/// none. Only when the socket's send buffer is full (a slow reader) does a flush wait, on an async send.
/// </summary>
internal sealed class SocketPipeWriter : PipeWriter
{
    private const int MinimumBufferSize = 4096;

    private readonly Socket _socket;

    private byte[]? _buffer;
    private int _written;
    private CancellationTokenSource? _flushCancellation; // made by the first flush that has to wait, renewed after a cancel
    private volatile bool _cancelNext;

    /// <param name="socket">Set to non-blocking here; the caller still owns and disposes it.</param>
    public SocketPipeWriter(Socket socket)
    {
        _socket = socket;
        _socket.Blocking = false;
    }

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (_buffer is null || _written + bytes > _buffer.Length)
        {
            throw new InvalidOperationException("advanced past the buffer");
        }

        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_written);

    public override Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_written);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_cancelNext)
        {
            _cancelNext = false;
            return new ValueTask<FlushResult>(new FlushResult(isCanceled: true, isCompleted: false));
        }

        var sent = 0;
        while (sent < _written)
        {
            var count = _socket.Send(_buffer.AsSpan(sent, _written - sent), SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                return FlushWhenWritableAsync(sent, cancellationToken);
            }

            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }

            sent += count;
        }

        ReturnBuffer();
        return new ValueTask<FlushResult>(default(FlushResult));
    }

    public override void CancelPendingFlush()
    {
        _cancelNext = true;
        _flushCancellation?.Cancel();
    }

    public override void Complete(Exception? exception = null) => ReturnBuffer();

    private async ValueTask<FlushResult> FlushWhenWritableAsync(int sent, CancellationToken cancellationToken)
    {
        // A cancelled source cannot be reset: each cancel is for one flush (the PipeWriter contract), so a flush
        // after it gets a new source. The old one is not disposed: CancelPendingFlush may be calling it from another
        // thread, and a source without a timer holds nothing to release.
        if (_flushCancellation is null || !_flushCancellation.TryReset())
        {
            _flushCancellation = new CancellationTokenSource();
        }

        var source = _flushCancellation;
        using var link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), source);
        try
        {
            // A CancelPendingFlush from before the source existed is seen here.
            if (_cancelNext)
            {
                source.Cancel();
            }

            while (sent < _written)
            {
                sent += await _socket.SendAsync(_buffer.AsMemory(sent, _written - sent), SocketFlags.None, source.Token).ConfigureAwait(false);
            }

            ReturnBuffer();
            return default;
        }
        catch (OperationCanceledException) when (source.IsCancellationRequested)
        {
            // What was not sent is dropped: a cancelled flush ends the connection's output.
            ReturnBuffer();
            if (!_cancelNext)
            {
                throw new OperationCanceledException(cancellationToken); // the caller's token, not CancelPendingFlush
            }

            _cancelNext = false;
            return new FlushResult(isCanceled: true, isCompleted: false);
        }
    }

    private byte[] Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(needed, MinimumBufferSize));
        }
        else if (_buffer.Length - _written < needed)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + needed));
            _buffer.AsSpan(0, _written).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer;
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _written = 0;
    }
}
