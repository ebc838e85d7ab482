using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

public sealed class TwoPerAddressGateway() : SeparateGatewayFixture(new Dictionary<string, string?>
{
    ["Gateway:Limits:ExemptLoopback"] = "false",
    ["Gateway:Limits:MaxConnectionsPerIp"] = "2",
    ["Gateway:Limits:ConnectionRatePerIp"] = "0",
});

/// <summary>
/// Long polling and Server-Sent Events are many HTTP requests per connection, so they cannot be admitted like a
/// socket: the hub offers WebSockets only, and a flood over the other transports never becomes a user.
/// </summary>
public sealed class HubTransportTests(TwoPerAddressGateway gateway) : IClassFixture<TwoPerAddressGateway>
{
    [Theory]
    [InlineData(HttpTransportType.LongPolling)]
    [InlineData(HttpTransportType.ServerSentEvents)]
    public async Task A_flood_of_150_hub_connections_over_a_fallback_transport_from_one_address_gets_no_user(HttpTransportType transport)
    {
        var host = gateway.Host;
        var attempts = Enumerable.Range(0, 150).Select(async _ =>
        {
            await using var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(host.HttpUri, "hubs/chat"), transport)
                .Build();
            try
            {
                await connection.StartAsync().WaitAsync(Timeouts.Step);
                return true;
            }
            catch (Exception e) when (e is not TimeoutException)
            {
                return false;
            }
        });

        var started = await Task.WhenAll(attempts);

        Assert.Equal(0, started.Count(ok => ok));
        Assert.Equal(0, host.Chat.Nicks.Count);
        // The cap of two is untouched: a WebSocket user still gets in.
        await using var browser = await host.ConnectHubAsync();
        Assert.Equal(1, host.Chat.Nicks.Count);
    }

    [Fact]
    public async Task Negotiation_offers_only_WebSockets()
    {
        using var http = gateway.Host.CreateHttpClient();
        using var response = await http.PostAsync("hubs/chat/negotiate?negotiateVersion=1", content: null);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var offered = body.GetProperty("availableTransports").EnumerateArray().Select(t => t.GetProperty("transport").GetString()).ToList();
        Assert.Equal(["WebSockets"], offered);

        // A long-polling request on the connection negotiation just created is refused too.
        var id = body.GetProperty("connectionToken").GetString();
        using var poll = await http.GetAsync($"hubs/chat?id={id}");
        Assert.False(poll.IsSuccessStatusCode, $"long polling answered {(int)poll.StatusCode}");
    }
}
