using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using SocketGateway.Hosting;

namespace SocketGateway.Tcp;

/// <summary>
/// The raw TCP chat port (and its TLS twin) on the gateway's own accept loops, not on Kestrel: an idle line client
/// then costs one socket, its session and two pending reads, about a third of what a Kestrel connection with its
/// two pipes, transport loops and features costs (docs/BENCHMARKS.md, "Memory per connection"). HTTP, the hub and
/// <c>/ws</c> stay on Kestrel. A stop tells every connection (its line reader ends with the shutdown token), waits
/// for them within the host's shutdown timeout, then closes what is left.
/// </summary>
public sealed partial class TcpListeners : IHostedService, IDisposable
{
    private static readonly TimeSpan MaxAcceptBackoff = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly HashSet<Socket> _open = [];
    private readonly Lock _gate = new();
    private readonly Action<Socket> _closed;
    private TaskCompletionSource? _allClosed;
    private readonly IOptions<GatewayOptions> _options;
    private readonly GatewayEndpoints _endpoints;
    private readonly TcpChatHandler _handler;
    private readonly ILogger<TcpListeners> _logger;

    public TcpListeners(IOptions<GatewayOptions> options, GatewayEndpoints endpoints, TcpChatHandler handler, ILogger<TcpListeners> logger)
    {
        _options = options;
        _endpoints = endpoints;
        _handler = handler;
        _logger = logger;
        _closed = Closed;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = _options.Value;
        var address = ParseAddress(settings.BindAddress);
        _endpoints.TcpPort = Listen(address, settings.Tcp.Port, certificate: null);
        if (!string.IsNullOrEmpty(settings.Tcp.Certificate.Path))
        {
            var certificate = new ReloadingCertificate(settings.Tcp.Certificate.Path, settings.Tcp.Certificate.Password, _logger);
            _endpoints.TcpTlsPort = Listen(address, settings.Tcp.TlsPort, certificate);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_allClosed is not null)
            {
                return; // stopped already (a host is stopped, then disposed)
            }

            _allClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_open.Count == 0)
            {
                _allClosed.TrySetResult();
            }
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        // Ends every session's reading (the reads hold no token, to keep idle connections small); each is then
        // told the gateway is stopping and closed after its last lines are written.
        lock (_gate)
        {
            foreach (var socket in _open)
            {
                try
                {
                    socket.Shutdown(SocketShutdown.Receive);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
            }
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        try
        {
            await _allClosed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout: whoever is still open is cut off.
            lock (_gate)
            {
                foreach (var socket in _open)
                {
                    socket.Dispose();
                }
            }
        }
    }

    public void Dispose()
    {
        // _stopping is left to the GC: a connection still ending may read its token.
    }

    internal static IPAddress ParseAddress(string value) =>
        value.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : value is "*" or "+" ? IPAddress.Any
        : IPAddress.Parse(value);

    private int Listen(IPAddress address, int port, ReloadingCertificate? certificate)
    {
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(new IPEndPoint(address, port));
            listener.Listen(1024);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listeners.Add(listener);
        _acceptLoops.Add(AcceptAsync(listener, certificate));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    private async Task AcceptAsync(Socket listener, ReloadingCertificate? certificate)
    {
        var backoff = TimeSpan.Zero;
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
                backoff = TimeSpan.Zero;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                continue;
            }
            catch (SocketException e)
            {
                // Out of file descriptors, typically: back off instead of spinning, the connections will end.
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(10) : Min(backoff * 2, MaxAcceptBackoff);
                Log.AcceptFailed(_logger, e.SocketErrorCode, backoff.TotalMilliseconds);
                try
                {
                    await Task.Delay(backoff, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            lock (_gate)
            {
                if (_allClosed is not null)
                {
                    socket.Dispose(); // accepted just as the stop began
                    return;
                }

                _open.Add(socket);
            }

            // A plain connection's session is set up right here (a few objects, no I/O but its welcome) and its
            // reading starts on the thread pool (LineConnection.Start); a TLS or proxied one continues on the thread
            // pool at once. A client whose bytes are already there is never served on this loop.
            // RunAsync never throws; whatever fails is logged by the handler and ends that connection alone.
            _ = _handler.RunAsync(socket, certificate, _stopping.Token, _closed);
        }
    }

    private void Closed(Socket socket)
    {
        lock (_gate)
        {
            _open.Remove(socket);
            if (_open.Count == 0)
            {
                _allClosed?.TrySetResult();
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting a TCP connection failed ({Error}); trying again in {DelayMs} ms")]
        public static partial void AcceptFailed(ILogger logger, SocketError error, double delayMs);
    }
}
