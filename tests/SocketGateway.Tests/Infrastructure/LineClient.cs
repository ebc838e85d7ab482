using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>A line-protocol client over a real TCP socket or a real WebSocket; received lines queue up for the test.</summary>
public sealed class LineClient : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Func<ReadOnlyMemory<byte>, Task> _sendRaw;
    private readonly Func<ValueTask> _close;
    private readonly bool _isWebSocket;
    private int _disposed;

    private LineClient(Func<ReadOnlyMemory<byte>, Task> sendRaw, Func<ValueTask> close, bool isWebSocket)
    {
        _sendRaw = sendRaw;
        _close = close;
        _isWebSocket = isWebSocket;
    }

    public string Nick { get; internal set; } = "";

    /// <summary>Set when the server closed the connection (and every queued line has been read).</summary>
    public bool IsClosed => _lines.Reader.Completion.IsCompleted;

    /// <summary>
    /// Completes when the server has closed the connection and every line was read. Awaited, not polled: a reader can
    /// be told "no more lines" a moment before this task is marked complete (the channel completes in two steps).
    /// </summary>
    public Task Closed => _lines.Reader.Completion;

    public TcpClient? Tcp { get; private set; }

    public static async Task<LineClient> ConnectTcpAsync(int port, System.Net.IPAddress? address = null)
    {
        address ??= System.Net.IPAddress.Loopback;
        var tcp = new TcpClient(address.AddressFamily);
        await tcp.ConnectAsync(address, port).WaitAsync(Timeouts.Step);
        var stream = tcp.GetStream();
        var client = new LineClient(
            bytes => stream.WriteAsync(bytes).AsTask(),
            () =>
            {
                tcp.Dispose();
                return ValueTask.CompletedTask;
            },
            isWebSocket: false)
        { Tcp = tcp };
        _ = client.ReadTcpAsync(PipeReader.Create(stream));
        return client;
    }

    /// <summary>A TLS client of a port that serves the test certificate (trusted whatever it is: it is self-signed).</summary>
    public static async Task<LineClient> ConnectTlsAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, port).WaitAsync(Timeouts.Step);
        var tls = new System.Net.Security.SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(Timeouts.Step);
        var client = new LineClient(
            bytes => tls.WriteAsync(bytes).AsTask(),
            async () =>
            {
                await tls.DisposeAsync();
                tcp.Dispose();
            },
            isWebSocket: false)
        { Tcp = tcp };
        _ = client.ReadTcpAsync(PipeReader.Create(tls));
        return client;
    }

    public static async Task<LineClient> ConnectWebSocketAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(Timeouts.Step);
        var client = new LineClient(
            bytes => socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None).AsTask(),
            () =>
            {
                socket.Abort();
                socket.Dispose();
                return ValueTask.CompletedTask;
            },
            isWebSocket: true);
        _ = client.ReadWebSocketAsync(socket);
        return client;
    }

    /// <summary>Sends one line (a '\n' is added on TCP; on a WebSocket the line is one frame).</summary>
    public Task SendAsync(string line) =>
        _sendRaw(Encoding.UTF8.GetBytes(_isWebSocket ? line : line + "\n")).WaitAsync(Timeouts.Step);

    public Task SendRawAsync(ReadOnlyMemory<byte> bytes) => _sendRaw(bytes).WaitAsync(Timeouts.Step);

    /// <summary>The next line from the server; null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeouts.Step);
        try
        {
            return await _lines.Reader.WaitToReadAsync(cts.Token) && _lines.Reader.TryRead(out var line) ? line : null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no line from the server within {(timeout ?? Timeouts.Step).TotalSeconds} s");
        }
    }

    /// <summary>Reads and skips lines until one matches; fails if the connection closes or time runs out first.</summary>
    public async Task<string> ReadUntilAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeouts.Step);
        var seen = new List<string>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            string? line;
            try
            {
                line = await ReadLineAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException("expected line did not arrive; got:\n" + string.Join("\n", seen));
            }

            if (line is null)
            {
                throw new InvalidOperationException("connection closed before the expected line; got:\n" + string.Join("\n", seen));
            }

            if (match(line))
            {
                return line;
            }

            seen.Add(line);
        }
    }

    public Task<string> ReadUntilAsync(string exact, TimeSpan? timeout = null) => ReadUntilAsync(l => l == exact, timeout);

    /// <summary>Reads json lines until one has the given type (and matches), returning it parsed.</summary>
    public async Task<JsonElement> ReadJsonAsync(string type, Func<JsonElement, bool>? match = null, TimeSpan? timeout = null)
    {
        JsonElement found = default;
        await ReadUntilAsync(line =>
        {
            if (!line.StartsWith('{'))
            {
                return false;
            }

            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.GetProperty("type").GetString() == type && (match?.Invoke(root) ?? true))
            {
                found = root.Clone();
                return true;
            }

            return false;
        }, timeout);
        return found;
    }

    /// <summary>Asserts that no line matching arrives within a short quiet period.</summary>
    public async Task AssertNoLineAsync(Func<string, bool> match, TimeSpan? quiet = null)
    {
        var deadline = DateTime.UtcNow + (quiet ?? Timeouts.Quiet);
        while (DateTime.UtcNow < deadline)
        {
            string? line;
            try
            {
                line = await ReadLineAsync(deadline - DateTime.UtcNow);
            }
            catch (TimeoutException)
            {
                return;
            }

            if (line is null)
            {
                return;
            }

            Assert.False(match(line), $"unexpected line: {line}");
        }
    }

    /// <summary>Sends /ping and returns every line before the pong: the replies to what was sent before.</summary>
    public async Task<List<string>> SyncAsync()
    {
        var before = new List<string>();
        await SendAsync("/ping");
        await ReadUntilAsync(line =>
        {
            if (line is "* pong" or "{\"type\":\"pong\"}")
            {
                return true;
            }

            before.Add(line);
            return false;
        });
        return before;
    }

    /// <summary>Reads the welcome, then takes the nick.</summary>
    public async Task LoginAsync(string nick)
    {
        var welcome = await ReadUntilAsync(l => l.StartsWith("* welcome to SocketGateway", StringComparison.Ordinal));
        Nick = welcome.Split("you are ")[1].Split(';')[0];
        await SendAsync($"/nick {nick}");
        await ReadUntilAsync(l => l.EndsWith($" is now known as {nick}", StringComparison.Ordinal));
        Nick = nick;
    }

    /// <summary>Reads the welcome line and remembers the guest nick.</summary>
    public async Task<string> ReadWelcomeAsync()
    {
        var welcome = await ReadUntilAsync(l => l.StartsWith("* welcome to SocketGateway", StringComparison.Ordinal));
        Nick = welcome.Split("you are ")[1].Split(';')[0];
        return welcome;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _close();
        }
    }

    private async Task ReadTcpAsync(PipeReader reader)
    {
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    var line = buffer.Slice(0, end);
                    _lines.Writer.TryWrite(Encoding.UTF8.GetString(line.ToArray()).TrimEnd('\r'));
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }

        _lines.Writer.TryComplete();
    }

    private async Task ReadWebSocketAsync(ClientWebSocket socket)
    {
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.GetMemory(4096), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                buffer.Advance(result.Count);
                if (result.EndOfMessage)
                {
                    _lines.Writer.TryWrite(Encoding.UTF8.GetString(buffer.WrittenSpan));
                    buffer.Clear();
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _lines.Writer.TryComplete();
    }
}
