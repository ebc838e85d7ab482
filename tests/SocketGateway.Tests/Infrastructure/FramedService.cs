using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>
/// A small socket service on a loopback port, the far side of a bridge: it accepts connections and speaks raw
/// frames, read and written here by hand (not with the gateway's codec) so a framing bug cannot hide on both sides.
/// </summary>
public sealed class FramedService : IAsyncDisposable
{
    private readonly TcpListener _listener;

    private FramedService(TcpListener listener) => _listener = listener;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>A connection is waiting to be accepted.</summary>
    public bool HasPending => _listener.Pending();

    public static FramedService Start(int port = 0, int? receiveBuffer = null)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        if (receiveBuffer is { } size)
        {
            listener.Server.ReceiveBufferSize = size;
        }

        listener.Start();
        return new FramedService(listener);
    }

    /// <summary>A port with nothing listening on it (it was free a moment ago).</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public async Task<ServiceConnection> AcceptAsync(string framing = "lf") =>
        new(await _listener.AcceptTcpClientAsync().WaitAsync(Timeouts.Start), framing);

    /// <summary>
    /// The newest connection made so far: the earlier ones waiting to be accepted (attempts the gateway gave up on) are
    /// accepted and closed.
    /// </summary>
    public async Task<ServiceConnection> AcceptLatestAsync(string framing = "lf")
    {
        var latest = await AcceptAsync(framing);
        while (_listener.Pending())
        {
            await latest.DisposeAsync();
            latest = await AcceptAsync(framing);
        }

        return latest;
    }

    public ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed class ServiceConnection(TcpClient client, string framing) : IAsyncDisposable
{
    private readonly NetworkStream _stream = client.GetStream();
    private readonly List<byte> _pending = [];

    public TcpClient Client => client;

    public static byte[] Frame(string framing, byte[] payload) => framing switch
    {
        "lf" => [.. payload, (byte)'\n'],
        "crlf" => [.. payload, (byte)'\r', (byte)'\n'],
        "nul" => [.. payload, 0],
        "lp32" => [(byte)(payload.Length >> 24), (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, .. payload],
        _ => throw new ArgumentOutOfRangeException(nameof(framing)),
    };

    public Task SendAsync(string text) => SendRawAsync(Frame(framing, Encoding.UTF8.GetBytes(text)));

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes).AsTask().WaitAsync(Timeouts.Step);

    /// <summary>The next frame's payload as text, with the bytes that ended it in <paramref name="raw"/>.</summary>
    public async Task<string> ReadAsync() => Encoding.UTF8.GetString((await ReadFrameAsync()).Payload);

    public async Task<(byte[] Payload, byte[] Raw)> ReadFrameAsync()
    {
        while (true)
        {
            if (TryCut(out var frame))
            {
                return frame;
            }

            var buffer = new byte[4096];
            var read = await _stream.ReadAsync(buffer).AsTask().WaitAsync(Timeouts.Step);
            if (read == 0)
            {
                throw new EndOfStreamException("the gateway closed the bridge's connection");
            }

            _pending.AddRange(buffer.AsSpan(0, read));
        }
    }

    /// <summary>Completes when the gateway closes the connection (what is still sent before is read and dropped).</summary>
    public async Task AssertClosedAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(buffer).AsTask().WaitAsync(Timeouts.Step) > 0)
            {
            }
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            // Cut rather than closed in order: closed all the same.
        }
    }

    private bool TryCut(out (byte[] Payload, byte[] Raw) frame)
    {
        frame = default;
        var bytes = _pending.ToArray();
        int end;
        byte[] payload;
        if (framing == "lp32")
        {
            if (bytes.Length < 4 || bytes.Length < 4 + (int)BinaryPrimitives.ReadUInt32BigEndian(bytes))
            {
                return false;
            }

            end = 4 + (int)BinaryPrimitives.ReadUInt32BigEndian(bytes);
            payload = bytes[4..end];
        }
        else
        {
            var delimiter = framing == "nul" ? (byte)0 : (byte)'\n';
            var at = Array.IndexOf(bytes, delimiter);
            if (at < 0)
            {
                return false;
            }

            end = at + 1;
            payload = framing == "crlf" ? bytes[..Math.Max(0, at - 1)] : bytes[..at];
        }

        frame = (payload, bytes[..end]);
        _pending.RemoveRange(0, end);
        return true;
    }

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
