using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.SignalR.Client;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

/// <summary>REST body limits, wrong methods and media types, headers and oversized hub messages.</summary>
[Collection(GatewayCollection.Name)]
public sealed class HttpHardeningTests(GatewayFixture gateway)
{
    private GatewayHost Host => gateway.Host;

    [Fact]
    public async Task An_oversized_rest_body_is_413()
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.PostAsJsonAsync("api/rooms/lobby/messages", new { text = new string('x', 100 * 1024) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_method_is_405_and_a_wrong_media_type_is_415()
    {
        using var http = Host.CreateHttpClient();
        using var put = await http.PutAsync("api/rooms", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
        using var text = await http.PostAsync("api/rooms", new StringContent("name=x", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
    }

    [Fact]
    public async Task The_page_carries_the_security_headers()
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.GetAsync("/");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
    }

    [Fact]
    public async Task An_oversized_signalr_message_closes_that_connection_only()
    {
        await using var big = await Host.ConnectHubAsync(GatewayFixture.Unique("big"));
        await using var other = await Host.ConnectHubAsync(GatewayFixture.Unique("other"));
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        big.Connection.Closed += e =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };

        // 8192 × 6 is the limit; this is well above it.
        _ = big.Connection.InvokeAsync<object>("Send", "lobby", new string('y', 200 * 1024));
        await closed.Task.WaitAsync(Timeouts.Step);
        Assert.Equal(HubConnectionState.Disconnected, big.Connection.State);
        Assert.Equal(other.Nick, await other.Connection.InvokeAsync<string>("SetNick", other.Nick).WaitAsync(Timeouts.Step));
    }
}
