using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Operations;

/// <summary>/metrics in Prometheus text format, and its figures follow what happens on the gateway.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task The_gateway_s_figures_move_with_connections_rooms_and_messages()
    {
        // A process of its own: a meter listener sees every meter of its name in the process, so the in-process
        // hosts of the tests running beside this one would add their connections and rooms to its figures.
        await using var gateway = await GatewayProcess.StartAsync(GatewayHost.NewDatabase(out _));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpPort}/") };
        var before = await ScrapeAsync(http);
        Assert.Equal(0, Value(before, "socketgateway_connections", "via=\"tcp\""));
        Assert.Equal(1, Value(before, "socketgateway_rooms"));

        await using var alice = await gateway.ConnectTcpAsync();
        await alice.LoginAsync("alice");
        await using var bob = await LineClient.ConnectWebSocketAsync(new Uri($"ws://127.0.0.1:{gateway.HttpPort}/ws"));
        await bob.LoginAsync("bob");
        (await http.PostAsJsonAsync("api/rooms", new { name = "metered" })).EnsureSuccessStatusCode();
        await alice.SendAsync("/join metered"); // alice stays in the lobby too
        await alice.ReadUntilAsync("[metered] -> alice joined (tcp)");
        for (var i = 0; i < 5; i++)
        {
            await alice.SendAsync($"counted {i}"); // to the current room, metered
        }

        await alice.ReadUntilAsync("[metered] alice: counted 4");
        var during = await ScrapeUntilAsync(http, body => Value(body, "socketgateway_rooms") == 2);
        Assert.Equal(1, Value(during, "socketgateway_connections", "via=\"tcp\""));
        Assert.Equal(1, Value(during, "socketgateway_connections", "via=\"ws\""));
        Assert.Equal(2, Value(during, "socketgateway_rooms"));
        Assert.Equal(3, Value(during, "socketgateway_room_members")); // alice in lobby and metered, bob in lobby
        Assert.Equal(5, Value(during, "socketgateway_messages_published") - Value(before, "socketgateway_messages_published"));

        await alice.SendAsync("/quit");
        await alice.ReadUntilAsync("* bye");
        await bob.ReadUntilAsync("[lobby] <- alice left (quit)");
        var after = await ScrapeUntilAsync(http, body => Value(body, "socketgateway_room_members") == 1);
        Assert.Equal(0, Value(after, "socketgateway_connections", "via=\"tcp\""));
        Assert.Equal(1, Value(after, "socketgateway_room_members"));
        Assert.Contains("kestrel", after, StringComparison.Ordinal);
    }

    // The exporter caches a scrape for 300 ms (against scrape floods): a change shows in a later one.
    private static async Task<string> ScrapeUntilAsync(HttpClient http, Func<string, bool> changed)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Step);
        while (true)
        {
            var body = await ScrapeAsync(http);
            if (changed(body) || timeout.IsCancellationRequested)
            {
                return body;
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    private static async Task<string> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("metrics");
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    // The sum over the series of a metric (whatever unit suffix the exporter adds) whose labels contain the filter.
    private static double Value(string body, string metric, string labels = "")
    {
        var series = Regex.Matches(body, $@"^{Regex.Escape(metric)}(_[a-z]+)*(\{{(?<labels>[^}}]*)\}})? (?<value>\S+)", RegexOptions.Multiline)
            .Where(m => m.Groups["labels"].Value.Contains(labels, StringComparison.Ordinal))
            .ToList();
        return series.Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }
}
