using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using SocketGateway.Tcp;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>What the accept loop does for a new TLS connection before it accepts the next one: nothing of the handshake.</summary>
public sealed class TcpAcceptLoopTests
{
    [Fact]
    public async Task A_tls_connection_whose_client_hello_is_already_there_is_not_answered_on_the_caller_s_thread()
    {
        using var certificateFile = await TestCertificate.CreateAsync();
        var certificate = new ReloadingCertificate(certificateFile.Path, TestCertificate.Password, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await using var host = await GatewayHost.StartAsync();
        var handler = host.App.Services.GetRequiredService<TcpChatHandler>();

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndPoint!);
        using var server = await listener.AcceptAsync();

        // The client's hello is in the server socket's buffer before the handler sees the socket.
        await using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        await WaitForBytesAsync(server);

        // Whatever the handler hands on to run later is held here: only what runs on this thread can answer.
        var held = new HeldWork();
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(held);
        try
        {
            _ = handler.RunAsync(server, certificate, CancellationToken.None, _ => { });
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        Assert.Equal(0, client.Available);
        Assert.False(handshake.IsCompleted);
        held.RunAll();
        await handshake.WaitAsync(Timeouts.Step);
    }

    private static async Task WaitForBytesAsync(Socket socket)
    {
        // A zero-byte receive completes when data is there, without taking it.
        await socket.ReceiveAsync(Memory<byte>.Empty).AsTask().WaitAsync(Timeouts.Step);
    }

    private sealed class HeldWork : SynchronizationContext
    {
        private readonly List<(SendOrPostCallback Callback, object? State)> _held = [];

        public override void Post(SendOrPostCallback d, object? state) => _held.Add((d, state));

        public void RunAll()
        {
            foreach (var (callback, state) in _held)
            {
                ThreadPool.QueueUserWorkItem(_ => callback(state));
            }
        }
    }
}
