using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.Api;

/// <summary>Contract, "Nothing missed after a drop": what came after a message id, on REST, <c>/history</c> and the hub.</summary>
public sealed class CatchUpTests
{
    private const int Posted = 230;

    [Fact]
    public async Task Paging_forward_with_after_gets_every_message_once_in_order_like_paging_back_with_before_on_every_transport()
    {
        await using var host = await GatewayHost.StartAsync();
        using var http = host.CreateHttpClient();
        var room = "catchup";
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("api/rooms", new { name = room })).StatusCode);
        var ids = new List<long>();
        for (var i = 1; i <= Posted; i++)
        {
            var posted = await http.PostAsJsonAsync($"api/rooms/{room}/messages", new { from = "bot", text = $"m{i}" });
            ids.Add((await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }

        // Forward from before the first, 70 at a time, across page boundaries until a short page.
        var forward = new List<long>();
        long after = 0;
        while (true)
        {
            var page = await IdsAsync(http, $"api/rooms/{room}/messages?after={after}&limit=70");
            forward.AddRange(page);
            if (page.Count < 70)
            {
                break;
            }

            after = page[^1];
        }

        Assert.Equal(ids, forward);
        // Back from the newest with before=, the same messages.
        var back = new List<long>();
        long? before = null;
        while (true)
        {
            var page = await IdsAsync(http, $"api/rooms/{room}/messages?limit=70" + (before is null ? "" : $"&before={before}"));
            back.InsertRange(0, page);
            if (page.Count < 70)
            {
                break;
            }

            before = page[0];
        }

        Assert.Equal(ids, back);

        // Capped at 200 a call (and 200 without a limit); after the newest, nothing; both directions at once is refused.
        Assert.Equal(ids.Take(200), await IdsAsync(http, $"api/rooms/{room}/messages?after=0&limit=500"));
        Assert.Equal(ids.Skip(10).Take(200), await IdsAsync(http, $"api/rooms/{room}/messages?after={ids[9]}"));
        Assert.Empty(await IdsAsync(http, $"api/rooms/{room}/messages?after={ids[^1]}"));
        var both = await http.GetAsync($"api/rooms/{room}/messages?after=1&before=5");
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Equal("bad_argument", (await both.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        // The line protocol and the hub answer the same.
        var tcp = await host.ConnectTcpAsync("nc");
        var lines = await tcp.RepliesAsync($"/history {room} after={ids[224]}");
        Assert.Equal([$"* history of {room} (5 messages)", .. Enumerable.Range(226, 5).Select(i => $"[{room}] bot: m{i}"), "* end of history"], lines);
        Assert.Equal([$"* history of {room} (2 messages)", $"[{room}] bot: m229", $"[{room}] bot: m230", "* end of history"],
            await tcp.RepliesAsync($"/history #{room} 2 after={ids[227]}"));
        await tcp.ExpectErrorAsync($"/history {room} after=x", "bad_argument");
        await tcp.ExpectErrorAsync("/history dev", "bad_argument"); // without after=, a word is an invalid N
        var web = await host.ConnectHubAsync();
        var hubPage = await web.InvokeAsync<JsonElement>("HistoryAfter", room, ids[99], 3);
        Assert.Equal(ids.Skip(100).Take(3), hubPage.EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
    }

    private static async Task<List<long>> IdsAsync(HttpClient http, string path) =>
        [.. (await http.GetFromJsonAsync<JsonElement>(path)).EnumerateArray().Select(m => m.GetProperty("id").GetInt64())];
}
