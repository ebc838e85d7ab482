using System.Net;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Api;

/// <summary>GET /api/rooms/{room}/members and DELETE /api/rooms/{room}/members/{nick} (kick).</summary>
[Collection(GatewayCollection.Name)]
public sealed class MembersApiTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Members_have_nick_transport_and_connected_since()
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        await using var tcp = await JoinTcpAsync(room);
        await using var ws = await Host.ConnectWebSocketAsync(GatewayFixture.Unique("ws"));
        await ws.SendAsync($"/join {room}");
        await ws.ReadUntilAsync($"[{room}] -> {ws.Nick} joined (ws)");
        await using var web = await Host.ConnectHubAsync(GatewayFixture.Unique("web"));
        await web.InvokeAsync<JsonElement>("Join", room);

        using var response = await http.GetAsync($"api/rooms/%23{room.ToUpperInvariant()}/members");
        var members = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal(3, members.GetArrayLength());
        Assert.Equal("tcp", ApiAssert.Find(members, "nick", tcp.Nick).GetProperty("via").GetString());
        Assert.Equal("ws", ApiAssert.Find(members, "nick", ws.Nick).GetProperty("via").GetString());
        Assert.Equal("web", ApiAssert.Find(members, "nick", web.Nick).GetProperty("via").GetString());
        foreach (var member in members.EnumerateArray())
        {
            ApiAssert.Timestamp(member.GetProperty("connectedAt"));
            Assert.Equal(["account", "connectedAt", "nick", "via"], member.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Members_of_an_unknown_room_is_404_no_such_room()
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.GetAsync($"api/rooms/{GatewayFixture.Unique("nope")}/members");
        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound, "no_such_room");
    }

    [Fact]
    public async Task Kicking_answers_204_tells_the_member_and_the_room_and_removes_the_member()
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        await using var target = await JoinTcpAsync(room);
        await using var observer = await JoinTcpAsync(room);
        await target.ReadUntilAsync($"[{room}] -> {observer.Nick} joined (tcp)");
        await using var web = await Host.ConnectHubAsync(GatewayFixture.Unique("web"));
        await web.InvokeAsync<JsonElement>("Join", room);

        // Nicks compare case-insensitively, in the path too.
        using var response = await http.DeleteAsync($"api/rooms/{room}/members/{target.Nick.ToUpperInvariant()}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        await target.ReadUntilAsync($"* you were removed from {room}");
        await observer.ReadUntilAsync($"[{room}] <- {target.Nick} left (kicked)");
        var left = await web.NextAsync("left", e => e.GetProperty("nick").GetString() == target.Nick);
        Assert.Equal("left", left.GetProperty("type").GetString());
        Assert.Equal(room, left.GetProperty("room").GetString());
        Assert.Equal("kicked", left.GetProperty("reason").GetString());

        using var membersResponse = await http.GetAsync($"api/rooms/{room}/members");
        var members = await ApiAssert.JsonAsync(membersResponse, HttpStatusCode.OK);
        Assert.False(ApiAssert.Contains(members, "nick", target.Nick));
        Assert.Equal(2, members.GetArrayLength());

        using var again = await http.DeleteAsync($"api/rooms/{room}/members/{target.Nick}");
        await ApiAssert.ProblemAsync(again, HttpStatusCode.NotFound, "not_in_room");
    }

    [Fact]
    public async Task A_kicked_browser_gets_its_own_left_event_and_can_no_longer_send_there()
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        await using var web = await Host.ConnectHubAsync(GatewayFixture.Unique("web"));
        await web.InvokeAsync<JsonElement>("Join", room);

        using var response = await http.DeleteAsync($"api/rooms/{room}/members/{web.Nick}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var left = await web.NextAsync("left", e => e.GetProperty("room").GetString() == room);
        Assert.Equal(web.Nick, left.GetProperty("nick").GetString());
        Assert.Equal("kicked", left.GetProperty("reason").GetString());
        await Hubs.HubAssert.FailsAsync("not_in_room", () => web.InvokeAsync<JsonElement>("Send", room, "still here?"));
        Assert.Equal("lobby", (await web.InvokeAsync<JsonElement>("Send", "lobby", "back in the lobby")).GetProperty("room").GetString());
    }

    [Fact]
    public async Task Kick_refusals_are_404_with_the_right_code()
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        await using var member = await JoinTcpAsync(room);
        await using var outsider = await Host.ConnectTcpAsync(GatewayFixture.Unique("out"));

        using var notMember = await http.DeleteAsync($"api/rooms/{room}/members/{outsider.Nick}");
        await ApiAssert.ProblemAsync(notMember, HttpStatusCode.NotFound, "not_in_room");
        using var unknownNick = await http.DeleteAsync($"api/rooms/{room}/members/{GatewayFixture.Unique("ghost")}");
        await ApiAssert.ProblemAsync(unknownNick, HttpStatusCode.NotFound, "no_such_user");
        using var unknownRoom = await http.DeleteAsync($"api/rooms/{GatewayFixture.Unique("nope")}/members/{member.Nick}");
        await ApiAssert.ProblemAsync(unknownRoom, HttpStatusCode.NotFound, "no_such_room");

        using var membersResponse = await http.GetAsync($"api/rooms/{room}/members");
        Assert.True(ApiAssert.Contains(await ApiAssert.JsonAsync(membersResponse, HttpStatusCode.OK), "nick", member.Nick));
    }

    private async Task<LineClient> JoinTcpAsync(string room)
    {
        var client = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await client.SendAsync($"/join {room}");
        await client.ReadUntilAsync($"[{room}] -> {client.Nick} joined (tcp)");
        return client;
    }
}
