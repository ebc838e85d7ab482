using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>
/// A loopback TCP forwarder in front of the gateway's HTTP port, standing for the network between a browser and the
/// gateway: <see cref="Cut"/> resets every connection through it (no close frame, as when Wi-Fi goes) and, while
/// down, resets new ones as they come; <see cref="Restore"/> lets them through again; <see cref="Blip"/> resets
/// and stays up. Browser network emulation
/// cannot do this: going offline in Chromium leaves an open WebSocket alone.
/// </summary>
public sealed class CuttableLink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly ConcurrentDictionary<Socket, Socket> _upstreamOf = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _down;

    public CuttableLink(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Resets every connection now, and every new one until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _down = true;
        ResetOpen();
    }

    /// <summary>
    /// A blip on the client's side, as when a phone moves to another network: the client's connections are reset and
    /// its next ones go through, while the gateway's ends stay open, silent, until the gateway notices on its own.
    /// </summary>
    public void Blip()
    {
        // A snapshot first: the client reconnects within microseconds of its reset, and that connection must live.
        foreach (var (client, upstream) in _upstreamOf.ToArray())
        {
            _upstreamOf.TryRemove(client, out _);
            _open.TryRemove(upstream, out _);
            Reset(client);
        }
    }

    private void ResetOpen()
    {
        foreach (var socket in _open.Keys.ToArray())
        {
            Reset(socket);
        }
    }

    public void Restore() => _down = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (_down)
            {
                Reset(client);
                continue;
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _open[client] = 0;
        _open[upstream] = 0;
        _upstreamOf[client] = upstream;
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            await Task.WhenAll(PipeAsync(client, upstream), PipeAsync(upstream, client));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Reset(client);
            if (_upstreamOf.TryRemove(client, out _))
            {
                Reset(upstream);
            }
        }
    }

    private async Task PipeAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private void Reset(Socket socket)
    {
        _open.TryRemove(socket, out _);
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        ResetOpen();
        _stop.Dispose();
    }
}
