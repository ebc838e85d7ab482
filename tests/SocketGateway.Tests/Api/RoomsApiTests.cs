using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Api;

/// <summary>GET/POST /api/rooms and GET /api/rooms/{room}.</summary>
[Collection(GatewayCollection.Name)]
public sealed class RoomsApiTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Create_answers_201_with_a_location_that_serves_the_same_room()
    {
        using var http = Host.CreateHttpClient();
        var name = GatewayFixture.Unique("r");

        using var created = await http.PostAsJsonAsync("api/rooms", new { name = "#" + name.ToUpperInvariant(), topic = "Planning", maxMembers = 5 });
        var room = await ApiAssert.JsonAsync(created, HttpStatusCode.Created);

        Assert.Equal(name, room.GetProperty("name").GetString());
        Assert.Equal("Planning", room.GetProperty("topic").GetString());
        Assert.Equal(0, room.GetProperty("members").GetInt32());
        Assert.Equal(5, room.GetProperty("maxMembers").GetInt32());
        ApiAssert.Timestamp(room.GetProperty("createdAt"));
        Assert.NotNull(created.Headers.Location);
        Assert.EndsWith($"/api/rooms/{name}", created.Headers.Location!.OriginalString, StringComparison.Ordinal);

        using var fetched = await http.GetAsync(created.Headers.Location);
        Assert.Equal(room.GetRawText(), (await ApiAssert.JsonAsync(fetched, HttpStatusCode.OK)).GetRawText());
    }

    [Fact]
    public async Task An_unset_topic_and_member_limit_are_null()
    {
        using var http = Host.CreateHttpClient();
        var name = GatewayFixture.Unique("r");

        using var created = await http.PostAsJsonAsync("api/rooms", new { name });
        var room = await ApiAssert.JsonAsync(created, HttpStatusCode.Created);

        Assert.Equal(JsonValueKind.Null, room.GetProperty("topic").ValueKind);
        Assert.Equal(JsonValueKind.Null, room.GetProperty("maxMembers").ValueKind);
    }

    [Fact]
    public async Task List_has_every_room_with_name_topic_member_count_and_created()
    {
        using var http = Host.CreateHttpClient();
        var name = GatewayFixture.Unique("r");
        using var created = await http.PostAsJsonAsync("api/rooms", new { name, topic = "listed" });
        await ApiAssert.JsonAsync(created, HttpStatusCode.Created);
        await using var web = await Host.ConnectHubAsync();
        await web.InvokeAsync<JsonElement>("Join", name);

        using var response = await http.GetAsync("api/rooms");
        var rooms = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal(JsonValueKind.Array, rooms.ValueKind);
        Assert.True(ApiAssert.Contains(rooms, "name", "lobby"));
        var room = ApiAssert.Find(rooms, "name", name);
        Assert.Equal("listed", room.GetProperty("topic").GetString());
        Assert.Equal(1, room.GetProperty("members").GetInt32());
        Assert.Equal(JsonValueKind.Null, room.GetProperty("maxMembers").ValueKind);
        foreach (var each in rooms.EnumerateArray())
        {
            ApiAssert.Timestamp(each.GetProperty("createdAt"));
        }
    }

    [Fact]
    public async Task Creating_an_existing_room_is_409_room_exists_whatever_the_case()
    {
        using var http = Host.CreateHttpClient();
        var name = GatewayFixture.Unique("r");
        using var first = await http.PostAsJsonAsync("api/rooms", new { name, topic = "first" });
        await ApiAssert.JsonAsync(first, HttpStatusCode.Created);

        using var again = await http.PostAsJsonAsync("api/rooms", new { name = "#" + name.ToUpperInvariant(), topic = "second" });
        await ApiAssert.ProblemAsync(again, HttpStatusCode.Conflict, "room_exists");
        using var lobby = await http.PostAsJsonAsync("api/rooms", new { name = "lobby" });
        await ApiAssert.ProblemAsync(lobby, HttpStatusCode.Conflict, "room_exists");

        using var get = await http.GetAsync($"api/rooms/{name}");
        Assert.Equal("first", (await ApiAssert.JsonAsync(get, HttpStatusCode.OK)).GetProperty("topic").GetString());
    }

    [Theory]
    [InlineData("{\"name\":\"has space\"}")]
    [InlineData("{\"name\":\"bang!\"}")]
    [InlineData("{\"name\":\"#\"}")]
    [InlineData("{\"name\":\"\"}")]
    [InlineData("{\"name\":\"abcdefghijabcdefghijabcdefghijabc\"}")]
    [InlineData("{\"name\":\"caf\u00e9\"}")]
    [InlineData("{\"topic\":\"no name\"}")]
    public async Task Create_with_an_invalid_name_is_400_invalid_room(string body)
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.PostAsync("api/rooms", ApiAssert.Body(body));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "invalid_room");
    }

    [Fact]
    public async Task A_32_character_room_name_is_accepted()
    {
        using var http = Host.CreateHttpClient();
        var name = GatewayFixture.Unique("r").PadRight(32, '_');
        using var response = await http.PostAsJsonAsync("api/rooms", new { name });
        Assert.Equal(name, (await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("bell\u0007")]
    [InlineData("two\nlines")]
    [InlineData("\u001b[31mred")]
    [InlineData("c1\u0085control")]
    [InlineData("del\u007f")]
    public async Task A_topic_with_control_characters_is_400_bad_argument(string topic)
    {
        using var http = Host.CreateHttpClient();
        var name = GatewayFixture.Unique("r");
        using var response = await http.PostAsJsonAsync("api/rooms", new { name, topic });
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "bad_argument");

        using var get = await http.GetAsync($"api/rooms/{name}");
        await ApiAssert.ProblemAsync(get, HttpStatusCode.NotFound, "no_such_room");
    }

    [Fact]
    public async Task A_topic_is_at_most_200_characters()
    {
        using var http = Host.CreateHttpClient();
        var name = GatewayFixture.Unique("r");

        using var tooLong = await http.PostAsJsonAsync("api/rooms", new { name, topic = new string('t', 201) });
        await ApiAssert.ProblemAsync(tooLong, HttpStatusCode.BadRequest, "bad_argument");

        using var atLimit = await http.PostAsJsonAsync("api/rooms", new { name, topic = new string('t', 200) });
        Assert.Equal(200, (await ApiAssert.JsonAsync(atLimit, HttpStatusCode.Created)).GetProperty("topic").GetString()!.Length);
    }

    [Fact]
    public async Task Max_members_is_enforced_and_a_negative_one_is_400_bad_argument()
    {
        using var http = Host.CreateHttpClient();
        using var negative = await http.PostAsJsonAsync("api/rooms", new { name = GatewayFixture.Unique("r"), maxMembers = -1 });
        await ApiAssert.ProblemAsync(negative, HttpStatusCode.BadRequest, "bad_argument");

        var name = GatewayFixture.Unique("r");
        using var created = await http.PostAsJsonAsync("api/rooms", new { name, maxMembers = 1 });
        Assert.Equal(1, (await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("maxMembers").GetInt32());
        await using var first = await Host.ConnectHubAsync();
        await using var second = await Host.ConnectHubAsync();
        await first.InvokeAsync<JsonElement>("Join", name);
        var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => second.InvokeAsync<JsonElement>("Join", name));
        Assert.Contains("room_full", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_normalizes_the_name_hash_and_case()
    {
        using var http = Host.CreateHttpClient();
        var name = GatewayFixture.Unique("dev");
        using var created = await http.PostAsJsonAsync("api/rooms", new { name });
        await ApiAssert.JsonAsync(created, HttpStatusCode.Created);

        foreach (var spelling in new[] { name, "%23" + name.Replace("dev", "Dev", StringComparison.Ordinal), name.ToUpperInvariant() })
        {
            using var response = await http.GetAsync($"api/rooms/{spelling}");
            Assert.Equal(name, (await ApiAssert.JsonAsync(response, HttpStatusCode.OK)).GetProperty("name").GetString());
        }
    }

    [Fact]
    public async Task Get_of_an_unknown_room_is_404_no_such_room_and_of_an_invalid_name_400_invalid_room()
    {
        using var http = Host.CreateHttpClient();
        using var unknown = await http.GetAsync($"api/rooms/{GatewayFixture.Unique("nope")}");
        await ApiAssert.ProblemAsync(unknown, HttpStatusCode.NotFound, "no_such_room");

        using var invalid = await http.GetAsync("api/rooms/bad!name");
        await ApiAssert.ProblemAsync(invalid, HttpStatusCode.BadRequest, "invalid_room");
    }

    [Theory]
    [InlineData("{\"name\":")]
    [InlineData("not json at all")]
    [InlineData("{\"name\":\"x\",\"maxMembers\":\"many\"}")]
    public async Task A_body_that_is_not_valid_json_is_400_problem_json(string body)
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.PostAsync("api/rooms", ApiAssert.Body(body));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "bad_argument");
    }

    [Fact]
    public async Task A_body_that_is_not_declared_as_json_is_a_problem_with_code_bad_argument()
    {
        using var http = Host.CreateHttpClient();
        var name = GatewayFixture.Unique("r");
        using var response = await http.PostAsync("api/rooms", new StringContent($"{{\"name\":\"{name}\"}}", System.Text.Encoding.UTF8, "text/plain"));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "bad_argument");

        using var get = await http.GetAsync($"api/rooms/{name}");
        await ApiAssert.ProblemAsync(get, HttpStatusCode.NotFound, "no_such_room");
    }
}
