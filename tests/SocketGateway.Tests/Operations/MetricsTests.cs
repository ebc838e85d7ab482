using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Operations;

public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_are_served_in_prometheus_format_with_the_gateway_s_own_figures()
    {
        await using var host = await GatewayHost.StartAsync();
        await using var alice = await host.ConnectTcpAsync("alice");
        await alice.SendAsync("counted");
        await alice.ReadUntilAsync("[lobby] alice: counted");

        using var http = host.CreateHttpClient();
        var response = await http.GetAsync("metrics");
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Matches(@"socketgateway_connections(_connection)?\{[^}]*via=""tcp""[^}]*\} 1", body);
        Assert.Matches(@"socketgateway_messages_published(_message)?_total(\{[^}]*\})? [1-9]", body);
        Assert.Contains("socketgateway_rooms", body);
        Assert.Contains("kestrel", body);
    }
}
