using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace SocketGateway.LoadTool.Clients;

/// <summary>
/// A raw TCP line-protocol user, in text or json format; with <paramref name="tls"/> on the TLS port, over an
/// <see cref="SslStream"/> that accepts any certificate (the tool's gateway has a self-signed one); with
/// <paramref name="irc"/> an IRC client on the IRC port (NICK/USER, JOIN #room, PRIVMSG #room, PING for acks), as a
/// client that enables only echo-message (no tags).
/// </summary>
public sealed class TcpLineClient(MeasureWindow window, bool json, bool tls = false, bool irc = false) : LoadClient(window)
{
    private static int s_ircNicks;

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly CancellationTokenSource _stop = new();
    private SslStream? _tls;
    private byte[] _sendBuffer = [];
    private Task _receiving = Task.CompletedTask;

    protected override byte Separator => (byte)'\n';

    public override async Task ConnectAsync(ServerEndpoint server, CancellationToken cancellationToken)
    {
        var port = irc ? server.IrcPort : tls ? server.TlsPort : server.TcpPort;
        if (port == 0)
        {
            throw new InvalidOperationException("the gateway has no port for this transport (IRC needs Gateway:Irc:Port)");
        }

        await _socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(server.Host), port), cancellationToken);
        if (tls)
        {
            _tls = new SslStream(new NetworkStream(_socket, ownsSocket: false));
            await _tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }, cancellationToken);
        }

        _receiving = ReceiveAsync();
        if (irc)
        {
            var nick = $"b{Interlocked.Increment(ref s_ircNicks)}";
            // echo-message, so that a publisher reads its own messages back as a TCP one does (the send window counts them).
            await SendLinesAsync($"CAP REQ :echo-message\r\nNICK {nick}\r\nUSER {nick} 0 * :{nick}\r\nCAP END\r\n", cancellationToken);
        }

        await WaitForAckAsync(1, cancellationToken); // the welcome line (001 on IRC)
        if (json)
        {
            await SendLinesAsync("/format json\n/ping\n", cancellationToken);
            await WaitForAckAsync(2, cancellationToken);
        }
    }

    public override async Task JoinAsync(string room, CancellationToken cancellationToken)
    {
        var target = Acks + 1;
        await SendLinesAsync(irc ? $"JOIN #{room}\r\nPING :ack\r\n" : $"/join {room}\n/ping\n", cancellationToken);
        await WaitForAckAsync(target, cancellationToken);
    }

    public override async ValueTask SendMessagesAsync(string room, int count, CancellationToken cancellationToken)
    {
        var prefix = irc ? Encoding.ASCII.GetBytes($"PRIVMSG #{room} :") : [];
        var line = prefix.Length + TextBytes + 1;
        if (_sendBuffer.Length < count * line)
        {
            _sendBuffer = new byte[count * line];
        }

        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            prefix.CopyTo(_sendBuffer.AsSpan(i * line));
            WriteText(_sendBuffer.AsSpan((i * line) + prefix.Length, TextBytes), now);
            _sendBuffer[(i * line) + prefix.Length + TextBytes] = (byte)'\n';
        }

        await SendAsync(_sendBuffer.AsMemory(0, count * line), cancellationToken);
    }

    protected override bool IsAck(ReadOnlySpan<byte> record) => irc
        ? record.StartsWith(":socketgateway 001 "u8) || record.StartsWith(":socketgateway PONG "u8)
        : record.StartsWith("* welcome"u8) || record.StartsWith("{\"type\":\"welcome\""u8)
            || record.SequenceEqual("* pong"u8) || record.SequenceEqual("{\"type\":\"pong\"}"u8);

    private async Task SendLinesAsync(string text, CancellationToken cancellationToken)
    {
        await SendAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    private async ValueTask SendAsync(ReadOnlyMemory<byte> memory, CancellationToken cancellationToken)
    {
        if (_tls is not null)
        {
            await _tls.WriteAsync(memory, cancellationToken);
            return;
        }

        while (!memory.IsEmpty)
        {
            var sent = await _socket.SendAsync(memory, SocketFlags.None, cancellationToken);
            memory = memory[sent..];
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = _tls is not null
                    ? await _tls.ReadAsync(buffer.AsMemory(filled), _stop.Token)
                    : await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                filled += read;
                var consumed = ProcessRecords(buffer.AsSpan(0, filled));
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2); // a line longer than the buffer (history replays)
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested)
            {
                Fail(e);
            }
        }

        Closed = true;
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _socket.Dispose();
        await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_tls is not null)
        {
            await _tls.DisposeAsync();
        }

        _stop.Dispose();
    }
}
