using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Api;

/// <summary>GET and POST /api/rooms/{room}/messages.</summary>
[Collection(GatewayCollection.Name)]
public sealed class MessagesApiTests(GatewayFixture fixture)
{
    private static readonly string Emoji = char.ConvertFromUtf32(0x1F600);

    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task A_post_answers_201_with_the_stored_message_and_members_receive_it()
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await tcp.SendAsync($"/join {room}");
        await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");
        await using var web = await Host.ConnectHubAsync(GatewayFixture.Unique("web"));
        await web.InvokeAsync<JsonElement>("Join", room);

        using var response = await http.PostAsJsonAsync($"api/rooms/{room.ToUpperInvariant()}/messages", new { text = "  deploy finished  " });
        var message = await ApiAssert.JsonAsync(response, HttpStatusCode.Created);

        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.True(message.GetProperty("id").GetInt64() > 0);
        Assert.Equal(room, message.GetProperty("room").GetString());
        Assert.Equal("api", message.GetProperty("from").GetString());
        Assert.Equal("deploy finished", message.GetProperty("text").GetString());
        Assert.Equal("api", message.GetProperty("via").GetString());
        ApiAssert.Timestamp(message.GetProperty("ts"));
        Assert.NotNull(response.Headers.Location);

        await tcp.ReadUntilAsync($"[{room}] api: deploy finished");
        var relayed = await web.NextAsync("message", m => m.GetProperty("room").GetString() == room);
        Assert.Equal(message.GetRawText(), relayed.GetRawText());

        using var fromBot = await http.PostAsJsonAsync($"api/rooms/{room}/messages", new { from = "deploy-bot", text = "v2 is live" });
        var botMessage = await ApiAssert.JsonAsync(fromBot, HttpStatusCode.Created);
        Assert.Equal("deploy-bot", botMessage.GetProperty("from").GetString());
        Assert.Equal("api", botMessage.GetProperty("via").GetString());
        Assert.True(botMessage.GetProperty("id").GetInt64() > message.GetProperty("id").GetInt64());
        await tcp.ReadUntilAsync($"[{room}] deploy-bot: v2 is live");
    }

    [Theory]
    [InlineData("9lives")]
    [InlineData("has space")]
    [InlineData("abcdefghijklmnopqrstuvwxy")]
    [InlineData("b\u00f6t")]
    public async Task A_post_from_an_invalid_nick_is_400_invalid_nick(string from)
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.PostAsJsonAsync("api/rooms/lobby/messages", new { from, text = "hello" });
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "invalid_nick");
    }

    [Fact]
    public async Task Text_is_limited_to_2000_code_points_not_utf16_units()
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        await CreateAsync(http, room);

        using var tooLong = await http.PostAsJsonAsync($"api/rooms/{room}/messages", new { text = string.Concat(Enumerable.Repeat(Emoji, 2001)) });
        await ApiAssert.ProblemAsync(tooLong, HttpStatusCode.BadRequest, "message_too_long");
        using var asciiTooLong = await http.PostAsJsonAsync($"api/rooms/{room}/messages", new { text = new string('a', 2001) });
        await ApiAssert.ProblemAsync(asciiTooLong, HttpStatusCode.BadRequest, "message_too_long");

        var atLimit = string.Concat(Enumerable.Repeat(Emoji, 2000));
        using var ok = await http.PostAsJsonAsync($"api/rooms/{room}/messages", new { text = atLimit });
        Assert.Equal(atLimit, (await ApiAssert.JsonAsync(ok, HttpStatusCode.Created)).GetProperty("text").GetString());

        using var history = await http.GetAsync($"api/rooms/{room}/messages");
        Assert.Equal(1, (await ApiAssert.JsonAsync(history, HttpStatusCode.OK)).GetArrayLength());
    }

    [Theory]
    [InlineData("{\"text\":\"\"}")]
    [InlineData("{\"text\":\" \\t\\n\\u00a0 \"}")]
    [InlineData("{\"from\":\"bot\"}")]
    [InlineData("{\"text\":")]
    public async Task An_empty_text_or_a_broken_body_is_400_bad_argument(string body)
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.PostAsync("api/rooms/lobby/messages", ApiAssert.Body(body));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "bad_argument");
    }

    [Fact]
    public async Task A_post_to_an_unknown_room_is_404_no_such_room()
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.PostAsJsonAsync($"api/rooms/{GatewayFixture.Unique("nope")}/messages", new { text = "hi" });
        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound, "no_such_room");
    }

    [Fact]
    public async Task History_pages_newest_last_and_every_message_comes_exactly_once()
    {
        using var http = Host.CreateHttpClient();
        var room = GatewayFixture.Unique("r");
        await CreateAsync(http, room);
        var posted = new List<long>();
        for (var i = 1; i <= 7; i++)
        {
            using var response = await http.PostAsJsonAsync($"api/rooms/{room}/messages", new { text = $"m{i}" });
            posted.Add((await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("id").GetInt64());
        }

        var all = await GetPageAsync(http, $"api/rooms/{room}/messages");
        Assert.Equal(posted, all.Select(m => m.GetProperty("id").GetInt64()));
        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"m{i}"), all.Select(m => m.GetProperty("text").GetString()));
        foreach (var message in all)
        {
            Assert.Equal("message", message.GetProperty("type").GetString());
            Assert.Equal(room, message.GetProperty("room").GetString());
            ApiAssert.Timestamp(message.GetProperty("ts"));
        }

        var pages = new List<List<JsonElement>>();
        var page = await GetPageAsync(http, $"api/rooms/{room}/messages?limit=3");
        while (page.Count > 0)
        {
            Assert.True(page.Count <= 3);
            var ids = page.Select(m => m.GetProperty("id").GetInt64()).ToList();
            Assert.Equal(ids.Order(), ids);
            pages.Add(page);
            page = await GetPageAsync(http, $"api/rooms/{room}/messages?limit=3&before={ids[0]}");
        }

        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.Equal(posted, pages.AsEnumerable().Reverse().SelectMany(p => p).Select(m => m.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task History_refusals_are_problem_details()
    {
        using var http = Host.CreateHttpClient();
        using var unknown = await http.GetAsync($"api/rooms/{GatewayFixture.Unique("nope")}/messages");
        await ApiAssert.ProblemAsync(unknown, HttpStatusCode.NotFound, "no_such_room");
        using var zero = await http.GetAsync("api/rooms/lobby/messages?limit=0");
        await ApiAssert.ProblemAsync(zero, HttpStatusCode.BadRequest, "bad_argument");
        using var notANumber = await http.GetAsync("api/rooms/lobby/messages?limit=lots");
        await ApiAssert.ProblemAsync(notANumber, HttpStatusCode.BadRequest, "bad_argument");
    }

    private static async Task CreateAsync(HttpClient http, string room)
    {
        using var response = await http.PostAsJsonAsync("api/rooms", new { name = room });
        await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
    }

    private static async Task<List<JsonElement>> GetPageAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return [.. (await ApiAssert.JsonAsync(response, HttpStatusCode.OK)).EnumerateArray()];
    }
}
