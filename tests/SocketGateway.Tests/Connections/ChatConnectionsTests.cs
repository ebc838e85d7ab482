using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SocketGateway.Connections;
using SocketGateway.Core;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Connections;

/// <summary>The one path of every chat connection, on the real host's chat core.</summary>
public sealed class ChatConnectionsTests
{
    [Fact]
    public async Task A_member_that_stops_reading_is_logged_once_and_its_transport_is_cut_off()
    {
        var logs = new CapturingLoggerProvider(LogLevel.Warning);
        await using var host = await GatewayHost.StartAsync(
            new Dictionary<string, string?> { ["Gateway:Limits:OutboundQueueLength"] = "5", ["Gateway:Limits:OutboundQueueBytes"] = "0" },
            logging => logging.AddProvider(logs));
        var connections = host.App.Services.GetRequiredService<ChatConnections>();
        var transport = new RecordingTransport();

        var session = connections.Open(Via.Tcp, new IPEndPoint(IPAddress.Parse("192.0.2.7"), 50123), transport);
        for (var i = 0; i < 10; i++)
        {
            await host.Chat.PostAsSystemAsync("lobby", "flood", $"m{i}", CancellationToken.None);
        }

        await transport.CutOffCalled.Task.WaitAsync(Timeouts.Step);
        Assert.Single(logs.Entries, e => e.Contains($"Disconnecting {session.Nick} (tcp, 192.0.2.7:50123)", StringComparison.Ordinal));
        connections.Close(session, "disconnected");
    }

    [Fact]
    public async Task How_a_connection_ended_is_routine_for_a_peer_gone_and_an_error_for_anything_else()
    {
        var logs = new CapturingLoggerProvider(LogLevel.Debug);
        await using var host = await GatewayHost.StartAsync(
            new Dictionary<string, string?> { ["Logging:LogLevel:SocketGateway.Connections"] = "Debug" },
            logging => logging.AddProvider(logs));
        var connections = host.App.Services.GetRequiredService<ChatConnections>();

        connections.Ended(Via.WebSocket, "[::1]:1", new SocketException((int)SocketError.ConnectionReset));
        connections.Ended(Via.Web, "[::1]:2", new InvalidOperationException("a bug"));

        var ours = logs.Entries.Where(e => e.Contains("SocketGateway.Connections", StringComparison.Ordinal)).ToList();
        Assert.Contains(ours, e => e.StartsWith("Debug", StringComparison.Ordinal) && e.Contains("ws connection from [::1]:1 ended", StringComparison.Ordinal));
        Assert.Contains(ours, e => e.StartsWith("Error", StringComparison.Ordinal) && e.Contains("web connection from [::1]:2 failed", StringComparison.Ordinal) && e.Contains("a bug", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(typeof(IOException), true)]
    [InlineData(typeof(SocketException), true)]
    [InlineData(typeof(ObjectDisposedException), true)]
    [InlineData(typeof(OperationCanceledException), true)]
    [InlineData(typeof(System.Net.WebSockets.WebSocketException), true)]
    [InlineData(typeof(System.Security.Authentication.AuthenticationException), true)]
    [InlineData(typeof(InvalidOperationException), false)]
    [InlineData(typeof(NullReferenceException), false)]
    [InlineData(typeof(ArgumentException), false)]
    public void Only_the_ways_a_peer_goes_away_count_as_routine(Type type, bool routine)
    {
        var error = type == typeof(ObjectDisposedException) ? new ObjectDisposedException("socket") : (Exception)Activator.CreateInstance(type)!;
        Assert.Equal(routine, ChatConnections.IsPeerGone(error));
    }

    private sealed class RecordingTransport : IChatTransport
    {
        public TaskCompletionSource CutOffCalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void CutOff() => CutOffCalled.TrySetResult();
    }
}
