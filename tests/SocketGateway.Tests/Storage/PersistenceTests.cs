using System.Net.Http.Json;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Storage;

/// <summary>Rooms and history survive a restart of the host on the same SQLite file.</summary>
public sealed class PersistenceTests
{
    [Fact]
    public async Task A_restart_keeps_rooms_topics_history_and_ids()
    {
        var connection = GatewayHost.NewDatabase(out var path);
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Gateway"] = connection };
        long lastId;
        await using (var first = await GatewayHost.StartAsync(settings))
        {
            using var http = first.CreateHttpClient();
            var created = await http.PostAsJsonAsync("api/rooms", new { name = "keep", topic = "Kept topic", maxMembers = 7 });
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);

            await using var tcp = await first.ConnectTcpAsync("keeper");
            await tcp.SendAsync("/join made-by-join");
            await tcp.ReadUntilAsync("[made-by-join] -> keeper joined (tcp)");
            await tcp.SendAsync("/join keep");
            for (var i = 1; i <= 5; i++)
            {
                await tcp.SendAsync($"message {i}");
            }

            await tcp.ReadUntilAsync("[keep] keeper: message 5");
            var history = await http.GetFromJsonAsync<JsonElement[]>("api/rooms/keep/messages?limit=10");
            lastId = history![^1].GetProperty("id").GetInt64();
        }

        await using var second = await GatewayHost.StartAsync(settings);
        using (var http = second.CreateHttpClient())
        {
            var room = await http.GetFromJsonAsync<JsonElement>("api/rooms/keep");
            Assert.Equal("Kept topic", room.GetProperty("topic").GetString());
            Assert.Equal(7, room.GetProperty("maxMembers").GetInt32());
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("api/rooms/made-by-join")).StatusCode);

            var history = await http.GetFromJsonAsync<JsonElement[]>("api/rooms/keep/messages?limit=10");
            Assert.Equal(["message 1", "message 2", "message 3", "message 4", "message 5"], history!.Select(m => m.GetProperty("text").GetString()));
            Assert.Equal(lastId, history![^1].GetProperty("id").GetInt64());

            var posted = await http.PostAsJsonAsync("api/rooms/keep/messages", new { text = "after restart" });
            var message = await posted.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(message.GetProperty("id").GetInt64() > lastId);
        }

        await using var tcp2 = await second.ConnectTcpAsync("returner");
        await tcp2.SendAsync("/join keep");
        await tcp2.ReadUntilAsync("* history of keep (6 messages)");
        await tcp2.ReadUntilAsync("[keep] api: after restart");
        await tcp2.ReadUntilAsync("* end of history");
        File.Delete(path);
    }

    [Fact]
    public async Task Paging_with_before_returns_every_message_exactly_once()
    {
        await using var host = await GatewayHost.StartAsync();
        using var http = host.CreateHttpClient();
        await http.PostAsJsonAsync("api/rooms", new { name = "paged" });
        var sent = new List<long>();
        for (var i = 0; i < 57; i++)
        {
            var response = await http.PostAsJsonAsync("api/rooms/paged/messages", new { text = $"m{i}" });
            sent.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }

        var seen = new List<long>();
        string url = "api/rooms/paged/messages?limit=10";
        while (true)
        {
            var page = (await http.GetFromJsonAsync<JsonElement[]>(url))!;
            if (page.Length == 0)
            {
                break;
            }

            var ids = page.Select(m => m.GetProperty("id").GetInt64()).ToList();
            Assert.Equal(ids.Order(), ids);
            seen.InsertRange(0, ids);
            url = $"api/rooms/paged/messages?limit=10&before={ids[0]}";
        }

        Assert.Equal(sent, seen);
    }

    [Fact]
    public async Task A_new_member_gets_the_recent_history_on_join_in_text_json_and_the_browser()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:History:ReplayOnJoin"] = "3" });
        await using var talker = await host.ConnectTcpAsync("talker");
        await talker.SendAsync("/join replay");
        for (var i = 1; i <= 5; i++)
        {
            await talker.SendAsync($"line {i}");
        }

        await talker.ReadUntilAsync("[replay] talker: line 5");

        await using var text = await host.ConnectTcpAsync("texter");
        await text.SendAsync("/join replay");
        await text.ReadUntilAsync("[replay] -> texter joined (tcp)");
        Assert.Equal("* history of replay (3 messages)", await text.ReadLineAsync());
        Assert.Equal("[replay] talker: line 3", await text.ReadLineAsync());
        Assert.Equal("[replay] talker: line 4", await text.ReadLineAsync());
        Assert.Equal("[replay] talker: line 5", await text.ReadLineAsync());
        Assert.Equal("* end of history", await text.ReadLineAsync());

        await using var json = await host.ConnectTcpAsync("jsoner");
        await json.SendAsync("/format json");
        await json.SendAsync("/join replay");
        var history = await json.ReadJsonAsync("history");
        Assert.Equal(["line 3", "line 4", "line 5"], history.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));

        await using var web = await host.ConnectHubAsync("browser");
        await web.InvokeAsync<JsonElement>("Join", "replay");
        var pushed = await web.NextAsync("history");
        Assert.Equal("replay", pushed.GetProperty("room").GetString());
        Assert.Equal(3, pushed.GetProperty("messages").GetArrayLength());
    }
}
