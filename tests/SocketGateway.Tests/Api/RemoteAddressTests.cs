using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Api;

public sealed class Ipv6LoopbackGateway() : SeparateGatewayFixture(new Dictionary<string, string?> { ["Gateway:BindAddress"] = "::1" });

/// <summary>A user's address reads the same whichever transport it came by, IPv6 included.</summary>
public sealed partial class RemoteAddressTests(Ipv6LoopbackGateway gateway) : IClassFixture<Ipv6LoopbackGateway>
{
    [Fact]
    public async Task Users_from_tcp_ws_and_the_hub_over_IPv6_have_the_same_bracketed_address_form()
    {
        var host = gateway.Host;
        await using var line = await host.ConnectTcpAsync("v6tcp");
        await using var socket = await host.ConnectWebSocketAsync("v6ws");
        await using var browser = await host.ConnectHubAsync("v6web");
        using var http = host.CreateHttpClient();

        var users = await http.GetFromJsonAsync<JsonElement[]>("api/users");

        var addresses = users!.ToDictionary(u => u.GetProperty("via").GetString()!, u => u.GetProperty("remoteAddress").GetString()!);
        Assert.Equal(["tcp", "web", "ws"], addresses.Keys.Order());
        Assert.All(addresses.Values, address => Assert.Matches(BracketedLoopback(), address));
        var tcpPort = ((System.Net.IPEndPoint)line.Tcp!.Client.LocalEndPoint!).Port;
        Assert.Equal($"[::1]:{tcpPort}", addresses["tcp"]);
    }

    [GeneratedRegex(@"^\[::1\]:\d{1,5}$")]
    private static partial Regex BracketedLoopback();
}
