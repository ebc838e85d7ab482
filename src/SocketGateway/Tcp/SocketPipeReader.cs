using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using SocketGateway.Connections;
using System.Threading.Tasks.Sources;

namespace SocketGateway.Tcp;

/// <summary>
/// A <see cref="PipeReader"/> straight over a non-blocking socket, for the plain chat port. While its client is idle
/// it holds no buffer and no async frame: only the socket's pending zero-byte receive. When that completes, bytes
/// are taken with non-blocking receives into a pooled buffer, which goes back to the pool once every byte is
/// consumed. (A <c>Pipe</c> with a receive loop, or <c>PipeReader.Create</c> over a <c>NetworkStream</c>, keeps an
/// async frame and more per connection: docs/BENCHMARKS.md, "Memory per connection".)
/// <para>
/// A token passed to <see cref="ReadAsync"/> costs a registration for as long as the read waits; the chat session
/// passes none (a stop shuts the socket's receive side instead, which ends the read).
/// </para>
/// </summary>
internal sealed class SocketPipeReader : PipeReader, IValueTaskSource<ReadResult>
{
    private const int MinimumReadSize = 4096;

    private readonly Socket _socket;
    private readonly Action _onReadable;

    // Unconsumed bytes are _buffer[_start.._end); null when there are none.
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _examinedAll;
    private bool _inputEnded;
    private bool _cancelNext;
    private bool _completed;

    // The pending read's outcome is only "cancelled or not"; its ReadResult is made from the state when it is taken.
    private ManualResetValueTaskSourceCore<bool> _read;
    private bool _readPending;
    private bool _receivePending;
    private FramelessAwaiter<int> _receive;
    private CancellationTokenRegistration _cancellation;
    private Exception? _completion;

    /// <param name="socket">Set to non-blocking here; the caller still owns and disposes it.</param>
    public SocketPipeReader(Socket socket)
    {
        _socket = socket;
        _socket.Blocking = false;
        _onReadable = OnReadable;
    }

    // A lock of its own (24 bytes): locking the cached callback delegate saved that, but any code holding the
    // delegate could take the same monitor.
    private readonly Lock _gate = new();

    public override bool TryRead(out ReadResult result)
    {
        lock (_gate)
        {
            ThrowIfCompleted();
            return TryTake(out result);
        }
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ReadResult>(cancellationToken);
        }

        short version;
        lock (_gate)
        {
            ThrowIfCompleted();
            if (_readPending)
            {
                throw new InvalidOperationException("a read is already pending");
            }

            if (TryTake(out var result))
            {
                return new ValueTask<ReadResult>(result);
            }

            _read.Reset();
            version = _read.Version;
            _readPending = true;
            if (cancellationToken.CanBeCanceled)
            {
                // Under the gate: a token cancelled meanwhile runs Stop right here (the gate is re-entrant).
                _cancellation = cancellationToken.UnsafeRegister(
                    static (state, token) => ((SocketPipeReader)state!).Stop(new OperationCanceledException(token)), this);
            }

            if (_receivePending || !_readPending)
            {
                // A receive left by a stopped read serves this one; or the token was already cancelled.
                return new ValueTask<ReadResult>(this, version);
            }
        }

        ContinueRead();
        return new ValueTask<ReadResult>(this, version);
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        lock (_gate)
        {
            ThrowIfCompleted();
            if (_buffer is null)
            {
                return;
            }

            if (!ReferenceEquals(consumed.GetObject(), _buffer) || !ReferenceEquals(examined.GetObject(), _buffer))
            {
                throw new InvalidOperationException("the position is not from the last read");
            }

            _start = consumed.GetInteger();
            _examinedAll = examined.GetInteger() >= _end;
            if (_start == _end)
            {
                ReturnBuffer();
            }
        }
    }

    public override void CancelPendingRead() => Stop(null);

    public override void Complete(Exception? exception = null)
    {
        lock (_gate)
        {
            _completed = true;
            ReturnBuffer();
        }
    }

    ReadResult IValueTaskSource<ReadResult>.GetResult(short token)
    {
        _cancellation.Dispose();
        _cancellation = default;
        var cancelled = _read.GetResult(token);
        lock (_gate)
        {
            // Nothing receives between a read's completion and this: the buffer is what the read found.
            return new ReadResult(Buffered(), cancelled, _inputEnded);
        }
    }

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _read.GetStatus(token);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags);

    /// <summary>
    /// Ends the pending read early: cancelled (<paramref name="error"/> null) or with the error. The zero-byte receive
    /// stays outstanding and the next read waits on it. The reader continues on the thread pool, never inside the
    /// caller (a timer, a token's owner, or the reader's own code).
    /// </summary>
    private void Stop(Exception? error)
    {
        lock (_gate)
        {
            if (!_readPending)
            {
                // A CancelPendingRead that comes just after a read completed applies to the next read.
                _cancelNext |= error is null;
                return;
            }

            _readPending = false;
            _completion = error;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static reader => reader.CompleteStopped(), this, preferLocal: false);
    }

    private void CompleteStopped()
    {
        Exception? error;
        lock (_gate)
        {
            error = _completion;
            _completion = null;
        }

        if (error is null)
        {
            _read.SetResult(true);
        }
        else
        {
            _read.SetException(error);
        }
    }

    /// <summary>With a read pending and no receive outstanding: completes the read, or waits for the socket.</summary>
    private void ContinueRead()
    {
        while (true)
        {
            ReadResult result = default;
            Exception? error = null;
            var completed = false;
            lock (_gate)
            {
                if (!_readPending || _receivePending)
                {
                    return; // done, or someone else is waiting for the socket
                }

                try
                {
                    completed = TryTake(out result);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // The socket failed or was closed (a stop's deadline) between the wake-up and the receive.
                    error = e;
                    completed = true;
                }

                _readPending = !completed;
                _receivePending = !completed;
            }

            if (error is not null)
            {
                _read.SetException(error);
                return;
            }

            if (completed)
            {
                _read.SetResult(result.IsCanceled);
                return;
            }

            bool received;
            try
            {
                received = _receive.TryComplete(_socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None), _onReadable, out _);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                Fail(e);
                return;
            }

            if (!received)
            {
                return;
            }

            ReceiveDone();
        }
    }

    private void OnReadable()
    {
        try
        {
            _receive.GetResult();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Fail(e); // fails the pending read too
            return;
        }

        ReceiveDone();
        ContinueRead();
    }

    // The zero-byte receive is over: bytes (or the end) can be taken.
    private void ReceiveDone()
    {
        lock (_gate)
        {
            _receivePending = false;
        }
    }

    private void Fail(Exception error)
    {
        lock (_gate)
        {
            _receivePending = false;
            if (!_readPending)
            {
                return; // the next receive reports it again
            }

            _readPending = false;
        }

        _read.SetException(error);
    }

    // Under the gate. What a read returns now, if anything: buffered bytes not yet examined, or new bytes from a
    // non-blocking receive (never while a receive is outstanding), or the end of input.
    private bool TryTake(out ReadResult result)
    {
        if (_cancelNext)
        {
            _cancelNext = false;
            result = new ReadResult(Buffered(), isCanceled: true, isCompleted: _inputEnded);
            return true;
        }

        if ((!_examinedAll && _end > _start) || _inputEnded)
        {
            result = new ReadResult(Buffered(), isCanceled: false, isCompleted: _inputEnded);
            return true;
        }

        result = default;
        if (_receivePending)
        {
            return false;
        }

        MakeRoom();
        var received = _socket.Receive(_buffer.AsSpan(_end), SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock)
        {
            if (_start == _end)
            {
                ReturnBuffer();
            }

            return false;
        }

        if (error != SocketError.Success)
        {
            throw new SocketException((int)error);
        }

        _inputEnded = received == 0;
        _end += received;
        _examinedAll = false;
        result = new ReadResult(Buffered(), isCanceled: false, isCompleted: _inputEnded);
        return true;
    }

    private ReadOnlySequence<byte> Buffered() =>
        _buffer is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(_buffer, _start, _end - _start);

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_buffer))]
    private void MakeRoom()
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(MinimumReadSize);
            _start = _end = 0;
            return;
        }

        var length = _end - _start;
        if (_buffer.Length - _end >= MinimumReadSize / 2)
        {
            return;
        }

        // Unconsumed bytes (an incomplete line) move to the front of a buffer with room for a full read after them.
        var target = _buffer.Length - length >= MinimumReadSize / 2 ? _buffer : ArrayPool<byte>.Shared.Rent(length + MinimumReadSize);
        Buffer.BlockCopy(_buffer, _start, target, 0, length);
        if (!ReferenceEquals(target, _buffer))
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
        }

        _start = 0;
        _end = length;
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _start = _end = 0;
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("the reader is completed");
        }
    }
}
