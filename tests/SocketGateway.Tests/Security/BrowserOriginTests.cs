using System.Net;
using System.Net.WebSockets;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

public sealed class AllowedOriginGateway() : SeparateGatewayFixture(new Dictionary<string, string?>
{
    ["Gateway:AllowedOrigins:0"] = "https://chat.example.org",
});

/// <summary>Cross-site WebSocket hijacking: a page from a foreign origin cannot open /ws or the hub.</summary>
public sealed class BrowserOriginTests(AllowedOriginGateway gateway) : IClassFixture<AllowedOriginGateway>
{
    private GatewayHost Host => gateway.Host;

    private async Task<(ClientWebSocket Socket, Exception? Error)> ConnectAsync(string path, string? origin)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        try
        {
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Host.HttpPort}{path}"), CancellationToken.None).WaitAsync(Timeouts.Step);
            return (socket, null);
        }
        catch (WebSocketException e)
        {
            return (socket, e);
        }
    }

    [Theory]
    [InlineData("/ws")]
    [InlineData("/hubs/chat")]
    public async Task A_foreign_origin_gets_403(string path)
    {
        var (socket, error) = await ConnectAsync(path, "https://evil.example");
        using (socket)
        {
            Assert.NotNull(error);
            Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
        }
    }

    [Theory]
    [InlineData("https://chat.example.org")]
    [InlineData(null)]
    public async Task The_listed_origin_and_clients_without_an_origin_connect(string? origin)
    {
        var (socket, error) = await ConnectAsync("/ws", origin);
        using (socket)
        {
            Assert.Null(error);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(Timeouts.Step);
        }
    }

    [Fact]
    public async Task The_gateways_own_origin_connects_and_a_near_miss_does_not()
    {
        var (own, ownError) = await ConnectAsync("/ws", $"http://127.0.0.1:{Host.HttpPort}");
        using (own)
        {
            Assert.Null(ownError);
        }

        var (near, nearError) = await ConnectAsync("/ws", "https://chat.example.org.evil.example");
        using (near)
        {
            Assert.NotNull(nearError);
            Assert.Equal(HttpStatusCode.Forbidden, near.HttpStatusCode);
        }
    }

    [Fact]
    public async Task Hub_negotiation_from_a_foreign_origin_is_refused()
    {
        using var http = Host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "hubs/chat/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", "https://evil.example");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
