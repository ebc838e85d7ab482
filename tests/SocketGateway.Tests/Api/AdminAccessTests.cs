using System.Net;
using System.Net.Http.Json;
using SocketGateway.Api;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Api;

public sealed class AdminKeyGateway() : SeparateGatewayFixture(new Dictionary<string, string?> { ["Gateway:AdminApiKey"] = "s3cret" });

/// <summary>With <c>Gateway:AdminApiKey</c> set, every mutation needs <c>X-Api-Key</c>; reads never do.</summary>
public sealed class AdminKeyTests(AdminKeyGateway gateway) : IClassFixture<AdminKeyGateway>
{
    private GatewayHost Host => gateway.Host;

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong")]
    [InlineData("S3CRET")]
    public async Task Every_mutation_without_the_right_key_is_401_unauthorized_and_changes_nothing(string? key)
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        await SendAsync(http, HttpMethod.Post, "api/rooms", $"{{\"name\":\"{room}\",\"topic\":\"before\"}}", "s3cret", HttpStatusCode.Created);
        await using var member = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await member.SendAsync($"/join {room}");
        await member.ReadUntilAsync($"[{room}] -> {member.Nick} joined (tcp)");

        foreach (var (method, path, body) in Mutations(room, member.Nick))
        {
            using var request = Request(method, path, body, key);
            using var response = await http.SendAsync(request);
            await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        using var get = await http.GetAsync($"api/rooms/{room}");
        var after = await ApiAssert.JsonAsync(get, HttpStatusCode.OK);
        Assert.Equal("before", after.GetProperty("topic").GetString());
        Assert.Equal(1, after.GetProperty("members").GetInt32());
        using var history = await http.GetAsync($"api/rooms/{room}/messages");
        Assert.Equal(0, (await ApiAssert.JsonAsync(history, HttpStatusCode.OK)).GetArrayLength());
        using var created = await http.GetAsync($"api/rooms/{room}x");
        await ApiAssert.ProblemAsync(created, HttpStatusCode.NotFound, "no_such_room");
    }

    [Fact]
    public async Task Every_mutation_with_the_key_succeeds()
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        await SendAsync(http, HttpMethod.Post, "api/rooms", $"{{\"name\":\"{room}\"}}", "s3cret", HttpStatusCode.Created);
        await using var member = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await member.SendAsync($"/join {room}");
        await member.ReadUntilAsync($"[{room}] -> {member.Nick} joined (tcp)");

        await SendAsync(http, HttpMethod.Patch, $"api/rooms/{room}", "{\"topic\":\"keyed\"}", "s3cret", HttpStatusCode.OK);
        await member.ReadUntilAsync($"* topic of {room}: keyed");
        await SendAsync(http, HttpMethod.Post, $"api/rooms/{room}/messages", "{\"text\":\"with key\"}", "s3cret", HttpStatusCode.Created);
        await member.ReadUntilAsync($"[{room}] api: with key");
        await SendAsync(http, HttpMethod.Delete, $"api/rooms/{room}/members/{member.Nick}", null, "s3cret", HttpStatusCode.NoContent);
        await member.ReadUntilAsync($"* you were removed from {room}");
        await SendAsync(http, HttpMethod.Delete, $"api/rooms/{room}", null, "s3cret", HttpStatusCode.NoContent);

        using var get = await http.GetAsync($"api/rooms/{room}");
        await ApiAssert.ProblemAsync(get, HttpStatusCode.NotFound, "no_such_room");
    }

    [Fact]
    public async Task Reads_need_no_key()
    {
        using var http = Host.CreateHttpClient();
        foreach (var path in new[] { "api/rooms", "api/rooms/lobby", "api/rooms/lobby/members", "api/rooms/lobby/messages", "api/users", "healthz" })
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        }
    }

    private static IEnumerable<(HttpMethod Method, string Path, string? Body)> Mutations(string room, string nick) =>
    [
        (HttpMethod.Post, "api/rooms", $"{{\"name\":\"{room}x\"}}"),
        (HttpMethod.Patch, $"api/rooms/{room}", "{\"topic\":\"after\"}"),
        (HttpMethod.Delete, $"api/rooms/{room}", null),
        (HttpMethod.Delete, $"api/rooms/{room}/members/{nick}", null),
        (HttpMethod.Post, $"api/rooms/{room}/messages", "{\"text\":\"sneaky\"}"),
    ];

    private static HttpRequestMessage Request(HttpMethod method, string path, string? body, string? key)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = ApiAssert.Body(body);
        }

        if (key is not null)
        {
            request.Headers.Add(AdminAccessFilter.HeaderName, key);
        }

        return request;
    }

    private static async Task SendAsync(HttpClient http, HttpMethod method, string path, string? body, string? key, HttpStatusCode expected)
    {
        using var request = Request(method, path, body, key);
        using var response = await http.SendAsync(request);
        await ApiAssert.JsonAsync(response, expected);
    }
}

/// <summary>Without an admin key, mutations are accepted from loopback only.</summary>
[Collection(GatewayCollection.Name)]
public sealed class LoopbackAccessTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Without_a_configured_key_loopback_mutations_need_no_header()
    {
        using var http = fixture.Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        using var created = await http.PostAsJsonAsync("api/rooms", new { name = room });
        await ApiAssert.JsonAsync(created, HttpStatusCode.Created);
        using var deleted = await http.DeleteAsync($"api/rooms/{room}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    // A request from another address cannot be made from loopback; the decision itself is checked here.
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("192.0.2.7", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("0.0.0.0", false)]
    public void Loopback_is_recognized_for_ipv4_ipv6_and_mapped_addresses(string address, bool loopback) =>
        Assert.Equal(loopback, AdminAccessFilter.IsLoopback(IPAddress.Parse(address)));

    [Fact]
    public void An_unknown_remote_address_is_not_loopback() => Assert.False(AdminAccessFilter.IsLoopback(null));
}
