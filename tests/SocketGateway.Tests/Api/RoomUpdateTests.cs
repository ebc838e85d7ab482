using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Api;

/// <summary>PATCH /api/rooms/{room}: the answer, what members see, and what a left-out field does.</summary>
[Collection(GatewayCollection.Name)]
public sealed class RoomUpdateTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Patch_answers_200_with_the_room_and_members_on_every_transport_hear_of_it()
    {
        using var http = Host.CreateHttpClient();
        var room = await CreateRoomAsync(http, "{\"topic\":\"old\",\"maxMembers\":10}");
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await tcp.SendAsync($"/join {room}");
        await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");
        await using var web = await Host.ConnectHubAsync(GatewayFixture.Unique("web"));
        await web.InvokeAsync<JsonElement>("Join", room);

        using var response = await http.PatchAsync($"api/rooms/{room}", ApiAssert.Body("{\"topic\":\"Release planning\"}"));
        var updated = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal(room, updated.GetProperty("name").GetString());
        Assert.Equal("Release planning", updated.GetProperty("topic").GetString());
        Assert.Equal(10, updated.GetProperty("maxMembers").GetInt32());
        Assert.Equal(2, updated.GetProperty("members").GetInt32());
        ApiAssert.Timestamp(updated.GetProperty("createdAt"));

        var evt = await web.NextAsync("roomUpdated", e => e.GetProperty("name").GetString() == room);
        Assert.Equal("room_updated", evt.GetProperty("type").GetString());
        Assert.Equal("Release planning", evt.GetProperty("topic").GetString());
        Assert.Equal(2, evt.GetProperty("members").GetInt32());
        Assert.Equal(10, evt.GetProperty("maxMembers").GetInt32());
        Assert.Equal(updated.GetProperty("createdAt").GetString(), evt.GetProperty("createdAt").GetString());

        await tcp.ReadUntilAsync($"* topic of {room}: Release planning");
    }

    [Fact]
    public async Task A_field_left_out_stays_as_it_is()
    {
        using var http = Host.CreateHttpClient();
        var room = await CreateRoomAsync(http, "{\"topic\":\"keep me\",\"maxMembers\":3}");

        var limitOnly = await PatchAsync(http, room, "{\"maxMembers\":7}");
        Assert.Equal("keep me", limitOnly.GetProperty("topic").GetString());
        Assert.Equal(7, limitOnly.GetProperty("maxMembers").GetInt32());

        var topicOnly = await PatchAsync(http, room, "{\"topic\":\"changed\"}");
        Assert.Equal("changed", topicOnly.GetProperty("topic").GetString());
        Assert.Equal(7, topicOnly.GetProperty("maxMembers").GetInt32());

        var nothing = await PatchAsync(http, room, "{}");
        Assert.Equal("changed", nothing.GetProperty("topic").GetString());
        Assert.Equal(7, nothing.GetProperty("maxMembers").GetInt32());

        using var get = await http.GetAsync($"api/rooms/{room}");
        Assert.Equal(nothing.GetRawText(), (await ApiAssert.JsonAsync(get, HttpStatusCode.OK)).GetRawText());
    }

    [Fact]
    public async Task A_null_topic_clears_it_and_a_tcp_member_is_told_there_is_none()
    {
        using var http = Host.CreateHttpClient();
        var room = await CreateRoomAsync(http, "{\"topic\":\"temporary\",\"maxMembers\":4}");
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await tcp.SendAsync($"/join {room}");
        await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");

        var cleared = await PatchAsync(http, room, "{\"topic\":null}");
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("topic").ValueKind);
        Assert.Equal(4, cleared.GetProperty("maxMembers").GetInt32());
        await tcp.ReadUntilAsync($"* {room} has no topic");

        var unlimited = await PatchAsync(http, room, "{\"maxMembers\":null}");
        Assert.Equal(JsonValueKind.Null, unlimited.GetProperty("maxMembers").ValueKind);
    }

    [Fact]
    public async Task Patch_refusals_are_problem_details()
    {
        using var http = Host.CreateHttpClient();
        var room = await CreateRoomAsync(http, "{\"topic\":\"stays\"}");

        using var unknown = await http.PatchAsync($"api/rooms/{GatewayFixture.Unique("nope")}", ApiAssert.Body("{\"topic\":\"x\"}"));
        await ApiAssert.ProblemAsync(unknown, HttpStatusCode.NotFound, "no_such_room");
        using var invalidName = await http.PatchAsync("api/rooms/Not%20Valid", ApiAssert.Body("{\"topic\":\"x\"}"));
        await ApiAssert.ProblemAsync(invalidName, HttpStatusCode.BadRequest, "invalid_room");
        using var tooLong = await http.PatchAsJsonAsync($"api/rooms/{room}", new { topic = new string('x', 201) });
        await ApiAssert.ProblemAsync(tooLong, HttpStatusCode.BadRequest, "bad_argument");
        using var control = await http.PatchAsJsonAsync($"api/rooms/{room}", new { topic = "esc\u001b[2J" });
        await ApiAssert.ProblemAsync(control, HttpStatusCode.BadRequest, "bad_argument");
        using var negative = await http.PatchAsJsonAsync($"api/rooms/{room}", new { maxMembers = -3 });
        await ApiAssert.ProblemAsync(negative, HttpStatusCode.BadRequest, "bad_argument");
        using var broken = await http.PatchAsync($"api/rooms/{room}", ApiAssert.Body("{\"topic\":"));
        await ApiAssert.ProblemAsync(broken, HttpStatusCode.BadRequest, "bad_argument");

        using var get = await http.GetAsync($"api/rooms/{room}");
        Assert.Equal("stays", (await ApiAssert.JsonAsync(get, HttpStatusCode.OK)).GetProperty("topic").GetString());
    }

    private static async Task<string> CreateRoomAsync(HttpClient http, string settings)
    {
        var name = GatewayFixture.Unique("r");
        using var response = await http.PostAsync("api/rooms", ApiAssert.Body($"{{\"name\":\"{name}\",{settings[1..]}"));
        await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        return name;
    }

    private static async Task<JsonElement> PatchAsync(HttpClient http, string room, string body)
    {
        using var response = await http.PatchAsync($"api/rooms/{room}", ApiAssert.Body(body));
        return await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
    }
}
