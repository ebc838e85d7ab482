using System.Net;
using System.Net.Http.Json;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

/// <summary>Loopback is not exempt here, so the test's own requests meet the budget like a remote client's.</summary>
public sealed class StrictLimitsGateway() : SeparateGatewayFixture(new Dictionary<string, string?>
{
    ["Gateway:Limits:MessageRate"] = "1",
    ["Gateway:Limits:MessageBurst"] = "2",
    ["Gateway:Limits:ExemptLoopback"] = "false",
});

public sealed class RestRateLimitTests(StrictLimitsGateway gateway) : IClassFixture<StrictLimitsGateway>
{
    [Fact]
    public async Task Posts_beyond_the_budget_get_429_with_retry_after_and_rate_limited()
    {
        using var http = gateway.Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        using (var created = await http.PostAsJsonAsync("api/rooms", new { name = room }))
        {
            await ApiAssert.JsonAsync(created, HttpStatusCode.Created);
        }

        for (var i = 0; i < 2; i++)
        {
            using var ok = await http.PostAsJsonAsync($"api/rooms/{room}/messages", new { text = $"m{i}" });
            await ApiAssert.JsonAsync(ok, HttpStatusCode.Created);
        }

        using var refused = await http.PostAsJsonAsync($"api/rooms/{room}/messages", new { text = "one too many" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"code\":\"rate_limited\"", await refused.Content.ReadAsStringAsync());
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 2);

        // Reads and other calls are not budgeted; the refused message was never stored.
        using var history = await http.GetAsync($"api/rooms/{room}/messages");
        Assert.DoesNotContain("one too many", await history.Content.ReadAsStringAsync());
    }
}

public sealed class AdminKeyGateway() : SeparateGatewayFixture(new Dictionary<string, string?>
{
    ["Gateway:Limits:MessageRate"] = "1",
    ["Gateway:Limits:MessageBurst"] = "1",
    ["Gateway:Limits:ExemptLoopback"] = "false",
    ["Gateway:AdminApiKey"] = "k3y",
});

public sealed class RestAdminBudgetTests(AdminKeyGateway gateway) : IClassFixture<AdminKeyGateway>
{
    [Fact]
    public async Task Calls_with_the_admin_key_are_not_budgeted()
    {
        using var http = gateway.Host.CreateHttpClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", "k3y");
        for (var i = 0; i < 6; i++)
        {
            using var ok = await http.PostAsJsonAsync("api/rooms/lobby/messages", new { text = $"bulk {i}" });
            await ApiAssert.JsonAsync(ok, HttpStatusCode.Created);
        }
    }
}
