using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Api;

/// <summary>DELETE /api/rooms/{room}: members are told and removed; the lobby stays.</summary>
[Collection(GatewayCollection.Name)]
public sealed class RoomCloseTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Closing_answers_204_tells_every_member_and_removes_them()
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        using var created = await http.PostAsJsonAsync("api/rooms", new { name = room });
        await ApiAssert.JsonAsync(created, HttpStatusCode.Created);
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await tcp.SendAsync($"/join {room}");
        await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");
        await using var web = await Host.ConnectHubAsync(GatewayFixture.Unique("web"));
        await web.InvokeAsync<JsonElement>("Join", room);

        using var response = await http.DeleteAsync($"api/rooms/{room}?reason=maintenance%20window");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        await tcp.ReadUntilAsync($"* room {room} was closed: maintenance window");
        var closed = await web.NextAsync("roomClosed", e => e.GetProperty("room").GetString() == room);
        Assert.Equal("room_closed", closed.GetProperty("type").GetString());
        Assert.Equal("maintenance window", closed.GetProperty("reason").GetString());

        using var get = await http.GetAsync($"api/rooms/{room}");
        await ApiAssert.ProblemAsync(get, HttpStatusCode.NotFound, "no_such_room");
        using var members = await http.GetAsync($"api/rooms/{room}/members");
        await ApiAssert.ProblemAsync(members, HttpStatusCode.NotFound, "no_such_room");
        using var usersResponse = await http.GetAsync("api/users");
        var users = await ApiAssert.JsonAsync(usersResponse, HttpStatusCode.OK);
        foreach (var nick in new[] { tcp.Nick, web.Nick })
        {
            var rooms = ApiAssert.Find(users, "nick", nick).GetProperty("rooms").EnumerateArray().Select(r => r.GetString()).ToList();
            Assert.Equal(["lobby"], rooms);
        }

        var error = await Assert.ThrowsAsync<HubException>(() => web.InvokeAsync<JsonElement>("Send", room, "anyone?"));
        Assert.Contains("no_such_room", error.Message, StringComparison.Ordinal);

        // The TCP user's current room falls back to the lobby, the room it is still in.
        await tcp.SendAsync("back in the lobby");
        await web.NextAsync("message", m => m.GetProperty("room").GetString() == "lobby" && m.GetProperty("from").GetString() == tcp.Nick);
    }

    [Fact]
    public async Task Closing_without_a_reason_still_tells_members()
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await tcp.SendAsync($"/join {room}");
        await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");

        using var response = await http.DeleteAsync($"api/rooms/{room.ToUpperInvariant()}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var line = await tcp.ReadUntilAsync(l => l.StartsWith($"* room {room} was closed: ", StringComparison.Ordinal));
        Assert.True(line.Length > $"* room {room} was closed: ".Length, line);
    }

    [Fact]
    public async Task The_lobby_cannot_be_closed_409_forbidden()
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.DeleteAsync("api/rooms/lobby");
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Conflict, "forbidden");
        using var hash = await http.DeleteAsync("api/rooms/%23LOBBY");
        await ApiAssert.ProblemAsync(hash, HttpStatusCode.Conflict, "forbidden");

        using var get = await http.GetAsync("api/rooms/lobby");
        await ApiAssert.JsonAsync(get, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Closing_an_unknown_room_is_404_no_such_room()
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.DeleteAsync($"api/rooms/{GatewayFixture.Unique("nope")}");
        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound, "no_such_room");
        using var invalid = await http.DeleteAsync("api/rooms/bad!");
        await ApiAssert.ProblemAsync(invalid, HttpStatusCode.BadRequest, "invalid_room");
    }
}
