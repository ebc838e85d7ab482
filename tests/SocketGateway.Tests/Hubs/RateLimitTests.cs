using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Hubs;

public sealed class RateLimitGateway() : SeparateGatewayFixture(new Dictionary<string, string?>
{
    ["Gateway:Limits:MessageRate"] = "1",
    ["Gateway:Limits:MessageBurst"] = "2",
});

/// <summary>The per-connection message budget: SignalR calls beyond it are refused with rate_limited.</summary>
public sealed class RateLimitTests(RateLimitGateway gateway) : IClassFixture<RateLimitGateway>
{
    private GatewayHost Host => gateway.Host;

    [Fact]
    public async Task The_third_rapid_send_is_rate_limited_and_not_relayed()
    {
        var room = GatewayFixture.Unique("r");
        await using var sender = await Host.ConnectHubAsync(GatewayFixture.Unique("sender"));
        await using var reader = await Host.ConnectHubAsync(GatewayFixture.Unique("reader"));
        await sender.InvokeAsync<JsonElement>("Join", room);
        await reader.InvokeAsync<JsonElement>("Join", room);

        await sender.InvokeAsync<JsonElement>("Send", room, "one");
        await sender.InvokeAsync<JsonElement>("SendAction", room, "two");
        await HubAssert.FailsAsync("rate_limited", () => sender.InvokeAsync<JsonElement>("Send", room, "three"));
        await HubAssert.FailsAsync("rate_limited", () => sender.InvokeAsync<JsonElement>("SendPrivate", reader.Nick, "four"));

        // Other calls are not budgeted, and another connection has a budget of its own.
        Assert.Equal(2, (await sender.InvokeAsync<JsonElement>("History", room, 10)).GetArrayLength());
        await reader.InvokeAsync<JsonElement>("Send", room, "mine");
        var texts = (await reader.InvokeAsync<JsonElement>("History", room, 10)).EnumerateArray().Select(m => m.GetProperty("text").GetString());
        Assert.Equal(["one", "two", "mine"], texts);
    }

    [Fact]
    public async Task Rest_posts_from_loopback_are_not_budgeted()
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        using var created = await http.PostAsJsonAsync("api/rooms", new { name = room });
        await ApiAssert.JsonAsync(created, HttpStatusCode.Created);
        for (var i = 0; i < 5; i++)
        {
            using var response = await http.PostAsJsonAsync($"api/rooms/{room}/messages", new { text = $"bulk {i}" });
            await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        }
    }
}
