using System.Buffers;
using System.IO.Pipelines;
using SocketGateway.Connections;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.Core.Limits;
using SocketGateway.Core.Protocol;
using SocketGateway.Core.Sessions;

namespace SocketGateway.LineProtocol;

/// <summary>
/// One connection's line input: what each read's bytes mean (<see cref="TakeAsync"/>), with the state kept between
/// reads. A started line must be completed within <c>LineTimeoutSeconds</c> (slowloris), and with
/// <c>LoginTimeoutSeconds</c> set a new connection must send its first line in time; either failure is one error
/// line, then the connection closes. The raw-input <see cref="LineInputGuards"/> run here too.
/// </summary>
public sealed class LineInput : IAsyncDisposable, IThreadPoolWorkItem
{
    // Reads that complete at once (a client that keeps sending) are taken this many times in a row, then the
    // driver lets other work run: one client never holds a thread for as long as it sends.
    private const int ReadsBeforeYielding = 64;

    private readonly LineConnection _owner;
    private readonly ChatSession _session;
    private readonly LineInputGuards _guards;
    private InputDeadline _lineDeadline;
    private InputDeadline _loginDeadline;
    private readonly ILineInputOwner? _ended;
    private readonly CancellationToken _stopping; // for the frameless driver's steps: a command waiting on a budget
    private LineDecoder _decoder;
    private bool _firstLine = true;
    private bool _probingProxyHeader;
    private TelnetInput? _telnet;
    private bool _toldWhyTelnetLineWasDropped;

    // One timer per connection, made when a deadline first runs; firing it wakes the pending read.
    private ITimer? _timer;

    // The frameless driver (Continue): where it waits, and how it is called back.
    private Action? _onRead;
    private Action? _onStep;
    private FramelessAwaiter<ReadResult> _read;
    private FramelessAwaiter<LineStep> _step;

    internal LineInput(LineConnection owner, ChatSession session, PipeReader input, LineInputGuards guards, ILineInputOwner? ended, CancellationToken stopping)
    {
        _stopping = stopping;
        _owner = owner;
        _session = session;
        _guards = guards;
        _ended = ended;
        Source = input;
        _decoder = new LineDecoder(owner.Limits.MaxLineBytes);
        _lineDeadline = new InputDeadline(TimeSpan.FromSeconds(owner.Limits.LineTimeoutSeconds), owner.Time);
        _loginDeadline = new InputDeadline(TimeSpan.FromSeconds(owner.Limits.LoginTimeoutSeconds), owner.Time);
        _loginDeadline.Start();
        _probingProxyHeader = guards.HasFlag(LineInputGuards.RefuseProxyHeader);
    }

    /// <summary>What to read next: the connection's input, or the telnet filter in front of it once one is needed.</summary>
    public PipeReader Source { get; private set; }

    /// <summary>Before each read: the timer is set to the earliest running deadline, or stopped.</summary>
    public void ArmDeadline()
    {
        if (Earliest(_lineDeadline.Remaining, _loginDeadline.Remaining) is { } wait)
        {
            _timer ??= _owner.Time.CreateTimer(static state => ((LineInput)state!).Source.CancelPendingRead(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(wait, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Takes one read's bytes: runs every complete line, consumes them, and says whether to read on.</summary>
    public async ValueTask<LineStep> TakeAsync(ReadResult result, CancellationToken cancellationToken)
    {
        var input = Source;
        var buffer = result.Buffer;
        // A read woken by the deadline timer while the first bytes still might be a header ("\r\n" starts a v2 one)
        // decides that they are not: a proxy does not spread its header over the line timeout.
        var proxyHeader = _probingProxyHeader
            ? ProbeProxyHeader(buffer, inputEnded: result.IsCompleted || result.IsCanceled)
            : ProxyHeaderStatus.NotProxy;
        _probingProxyHeader = proxyHeader == ProxyHeaderStatus.Incomplete;
        if (proxyHeader is ProxyHeaderStatus.NotProxy or ProxyHeaderStatus.Invalid && _telnet is null
            && _guards.HasFlag(LineInputGuards.FilterTelnet) && buffer.PositionOf(TelnetFilter.Iac) is not null)
        {
            // From here on the filter reads the input; it starts with these very bytes, so none is read twice.
            _telnet = new TelnetInput(input, buffer, _session);
            Source = _telnet.Reader;
            return LineStep.Continue;
        }

        var completed = false;
        try
        {
            if (proxyHeader == ProxyHeaderStatus.Header)
            {
                _session.Send(new ErrorEvent(ErrorCodes.BadArgument, LineConnection.UntrustedProxyHeaderText));
                return LineStep.Ended;
            }

            while (proxyHeader != ProxyHeaderStatus.Incomplete && NextLine(ref buffer, out var line, out var status))
            {
                completed = true;
                if (status == LineStatus.Line)
                {
                    _loginDeadline.Clear();
                }

                if (line is null)
                {
                    continue;
                }

                if (_firstLine && _guards.HasFlag(LineInputGuards.RefuseHttp) && HttpProbe.IsRequestLine(line))
                {
                    _session.Send(new ErrorEvent(ErrorCodes.BadArgument, ConnectionProbe.HttpRefusalText));
                    return LineStep.Ended;
                }

                _firstLine = false;
                if (_session.WasAborted)
                {
                    // Cut off as a slow consumer: nothing it already sent is acted on any more.
                    return LineStep.Ended;
                }

                if (!await _owner.Commands.ExecuteAsync(_session, line, cancellationToken).ConfigureAwait(false))
                {
                    return LineStep.Quit;
                }

                await _session.WaitForOutboundBelowAsync(_owner.Limits.OutboundQueueLength / 2, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Everything left is an incomplete line, already known to be within the limit.
            input.AdvanceTo(buffer.Start, buffer.End);
            TrackIncompleteLine(ref _lineDeadline, pending: !buffer.IsEmpty || _decoder.IsDiscarding, restart: completed);
        }

        // A line completed in the same read as the timer fired wins: the deadlines were updated above.
        if (_lineDeadline.IsExpired)
        {
            _session.Send(new ErrorEvent(ErrorCodes.BadArgument, $"a line must be completed within {_owner.Limits.LineTimeoutSeconds} s; closing"));
            return LineStep.Ended;
        }

        if (_loginDeadline.IsExpired)
        {
            _session.Send(new ErrorEvent(ErrorCodes.BadArgument, $"nothing was sent within {_owner.Limits.LoginTimeoutSeconds} s; closing"));
            return LineStep.Ended;
        }

        // IsCanceled alone is the deadline timer waking the read early: go on reading.
        return result.IsCompleted ? LineStep.Ended : LineStep.Continue;
    }

    public async ValueTask DisposeAsync()
    {
        _timer?.Dispose();
        if (_telnet is not null)
        {
            await _telnet.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts the frameless driver on the thread pool, never on the caller's thread (an accept loop).</summary>
    internal void Start() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    void IThreadPoolWorkItem.Execute() => Continue();

    /// <summary>The frameless driver: reads and takes until a read has to wait, then goes on from its completion.</summary>
    internal void Continue()
    {
        try
        {
            for (var reads = 0; ; reads++)
            {
                if (reads == ReadsBeforeYielding)
                {
                    ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                    return;
                }

                ArmDeadline();
                if (!_read.TryComplete(Source.ReadAsync(), _onRead ??= OnRead, out var read))
                {
                    return;
                }

                if (!Take(read))
                {
                    return;
                }
            }
        }
        catch (Exception e)
        {
            End(LineStep.Ended, e);
        }
    }

    private void OnRead()
    {
        try
        {
            if (!Take(_read.GetResult()))
            {
                return;
            }
        }
        catch (Exception e)
        {
            End(LineStep.Ended, e);
            return;
        }

        Continue();
    }

    // True when the next read can follow at once; false when the step waits (it continues itself) or the input ended.
    private bool Take(ReadResult result)
    {
        if (!_step.TryComplete(TakeAsync(result, _stopping), _onStep ??= OnStep, out var step))
        {
            return false;
        }

        return Stepped(step);
    }

    private void OnStep()
    {
        try
        {
            if (!Stepped(_step.GetResult()))
            {
                return;
            }
        }
        catch (Exception e)
        {
            End(LineStep.Ended, e);
            return;
        }

        Continue();
    }

    private bool Stepped(LineStep step)
    {
        if (step == LineStep.Continue)
        {
            return true;
        }

        End(step, null);
        return false;
    }

    private void End(LineStep step, Exception? error) => _ = EndAsync(step, error);

    private async Task EndAsync(LineStep step, Exception? error)
    {
        try
        {
            await DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            error ??= e;
        }
        finally
        {
            // Whatever happened, the transport is told, or its connection would never be closed.
            _ended!.InputEnded(step == LineStep.Quit, error);
        }
    }

    /// <summary>
    /// Whether the input starts with a PROXY header; <see cref="ProxyHeaderStatus.Incomplete"/> while the first few
    /// bytes cannot tell yet (a chat line is never held back beyond them). Input that ended (or waited too long) is
    /// no header.
    /// </summary>
    private static ProxyHeaderStatus ProbeProxyHeader(ReadOnlySequence<byte> buffer, bool inputEnded)
    {
        var status = ProxyProtocol.TryParse(buffer, out _, out _);
        return status == ProxyHeaderStatus.Incomplete && inputEnded ? ProxyHeaderStatus.NotProxy : status;
    }

    private static void TrackIncompleteLine(ref InputDeadline deadline, bool pending, bool restart)
    {
        if (!pending || restart)
        {
            deadline.Clear();
        }

        if (pending)
        {
            deadline.Start();
        }
    }

    // A telnet user whose client mangled its first non-ASCII line is told why, once. That line usually came with the
    // client's first IAC, so the offer of BINARY has only just gone out: not refused is as good as agreed.
    private string InvalidUtf8Text()
    {
        const string Dropped = "the line is not valid UTF-8; it was dropped";
        if (_telnet is not { SpokeTelnet: true } || _toldWhyTelnetLineWasDropped)
        {
            return Dropped;
        }

        _toldWhyTelnetLineWasDropped = true;
        return _telnet.RefusedBinary
            ? Dropped + " (your telnet client refused binary mode, so it changes non-ASCII text; use an 8-bit clean client)"
            : Dropped + " (your telnet client changed its non-ASCII text before binary mode was on; it is on now: send the line again)";
    }

    private static TimeSpan? Earliest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    // Synchronous so that the SequenceReader (a ref struct) never lives across an await.
    private bool NextLine(ref ReadOnlySequence<byte> buffer, out string? line, out LineStatus status)
    {
        line = null;
        var reader = new SequenceReader<byte>(buffer);
        status = _decoder.TryReadLine(ref reader, out var bytes);
        if (status == LineStatus.TooLong)
        {
            _session.Send(new ErrorEvent(ErrorCodes.LineTooLong, $"a line may be at most {_owner.Limits.MaxLineBytes} bytes; it was dropped"));
        }
        else if (status == LineStatus.Line && !LineText.TryDecode(bytes, out line))
        {
            line = null;
            _session.Send(new ErrorEvent(ErrorCodes.BadArgument, InvalidUtf8Text()));
        }

        buffer = buffer.Slice(reader.Position);
        return status != LineStatus.Incomplete;
    }
}
