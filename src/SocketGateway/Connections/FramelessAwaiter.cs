using System.Runtime.CompilerServices;

namespace SocketGateway.Connections;

/// <summary>
/// Awaits a <see cref="ValueTask{TResult}"/> without an async method, so that a connection waiting on its socket or
/// its queue holds no async frame (an idle client would otherwise keep one per wait: docs/BENCHMARKS.md, "Memory per
/// connection"). It is the one place where the gateway awaits by hand; the socket reader, the line reader and the
/// line writer each keep one per operation they wait on, as a field.
/// <para>
/// The pattern is a loop that runs until an operation has to wait:
/// <code>
/// if (!_read.TryComplete(source.ReadAsync(), _onRead, out var result)) return; // _onRead continues the loop
/// </code>
/// <see cref="TryComplete"/> gives the result at once when the operation already finished (no callback, no thread
/// hop). Otherwise it keeps the operation and returns false, and the continuation runs once when the operation
/// finishes, on the thread that finishes it (the operations awaited here finish on the thread pool or inside their
/// own source's completion, never on a caller that holds a lock of ours); it takes the result with <see cref="GetResult"/> (exactly once) and goes on with the
/// loop. Between the false return and the continuation the caller must not touch this awaiter: the continuation may
/// already be running on another thread. A failed operation throws from <see cref="TryComplete"/> or from
/// <see cref="GetResult"/>, where the caller's loop catches it as it would an await's.
/// </para>
/// </summary>
internal struct FramelessAwaiter<T>
{
    private ConfiguredValueTaskAwaitable<T>.ConfiguredValueTaskAwaiter _pending;

    public bool TryComplete(ValueTask<T> operation, Action continuation, out T result)
    {
        var awaiter = operation.ConfigureAwait(false).GetAwaiter();
        if (awaiter.IsCompleted)
        {
            result = awaiter.GetResult();
            return true;
        }

        // Kept before the continuation is registered: it may run, and ask for the result, before this returns.
        _pending = awaiter;
        awaiter.UnsafeOnCompleted(continuation);
        result = default!;
        return false;
    }

    /// <summary>The result of the operation that had to wait; called once, by its continuation.</summary>
    public T GetResult()
    {
        var awaiter = _pending;
        _pending = default;
        return awaiter.GetResult();
    }
}
