using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>
/// Text relayed to a TCP text client never breaks the one-event-a-line framing nor carries control sequences;
/// a json client gets exactly what was sent.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class TcpSanitizerTests(GatewayFixture fixture)
{
    private const string Mark = "\u2424";
    private const string Bad = "\uFFFD";

    /// <summary>What a browser sends, and what a text client must see.</summary>
    public static readonly TheoryData<string, string> Cases = new()
    {
        { "\u001b[31mred\u001b[0m plain", $"{Bad}[31mred{Bad}[0m plain" },
        { "crlf\r\nis one", $"crlf{Mark}is one" },
        { "cr\ralone", $"cr{Mark}alone" },
        { "lf\nalone", $"lf{Mark}alone" },
        { "lfcr\n\ris two", $"lfcr{Mark}{Mark}is two" },
        { "two\r\n\r\ncrlfs", $"two{Mark}{Mark}crlfs" },
        { "cr cr\r\r\nlf", $"cr cr{Mark}{Mark}lf" },
        { "nel\u0085line", $"nel{Mark}line" },
        { "ls\u2028ps\u2029end", $"ls{Mark}ps{Mark}end" },
        { "tab\there", "tab here" },
        { "csi\u009b31m", $"csi{Bad}31m" },
        { "del\u007fete", $"del{Bad}ete" },
        { "nul\u0000bel\u0007bs\u0008vt\u000bff\u000cus\u001fx", $"nul{Bad}bel{Bad}bs{Bad}vt{Bad}ff{Bad}us{Bad}x" },
        { "c1 \u0080\u008d\u009fx", $"c1 {Bad}{Bad}{Bad}x" },
        { "osc\u001b]0;title\u0007done", $"osc{Bad}]0;title{Bad}done" },
        { "unicode stays: \u00e9\u20ac\U0001F600\u00a0\u200b\u3000end", "unicode stays: \u00e9\u20ac\U0001F600\u00a0\u200b\u3000end" },
    };

    private GatewayHost Host => fixture.Host;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_browser_message_reaches_a_text_client_sanitized_and_a_json_client_as_sent(string sent, string shown)
    {
        var room = GatewayFixture.Unique("r");
        await using var web = await Host.ConnectHubAsync(GatewayFixture.Unique("we"));
        await using var text = await Host.ConnectTcpAsync(GatewayFixture.Unique("tx"));
        await using var json = await Host.ConnectTcpAsync(GatewayFixture.Unique("js"));
        await text.JoinAsync(room);
        await json.JoinAsync(room);
        await json.CommandAsync("/format json");
        await web.InvokeAsync<JsonElement>("Join", room);

        await web.InvokeAsync<JsonElement>("Send", room, sent);
        await web.InvokeAsync<JsonElement>("SendAction", room, sent);
        await web.InvokeAsync<JsonElement>("SendPrivate", text.Nick, sent);
        await web.InvokeAsync<JsonElement>("SendPrivate", json.Nick, sent);

        var lines = (await text.SyncAsync()).Where(l => !l.StartsWith("[lobby] ", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [$"[{room}] -> {json.Nick} joined (tcp)", $"[{room}] -> {web.Nick} joined (web)", $"[{room}] {web.Nick}: {shown}", $"[{room}] * {web.Nick} {shown}", $"[pm] {web.Nick}: {shown}"],
            lines);
        Assert.All(lines, l => Assert.DoesNotContain(l, c => char.IsControl(c)));

        Assert.Equal(sent, (await json.ReadJsonAsync("message", m => m.GetProperty("room").GetString() == room)).GetProperty("text").GetString());
        Assert.Equal(sent, (await json.ReadJsonAsync("action")).GetProperty("text").GetString());
        Assert.Equal(sent, (await json.ReadJsonAsync("private")).GetProperty("text").GetString());
    }

    [Fact]
    public async Task Escape_sequences_from_a_tcp_user_are_neutralized_for_text_clients_too()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var text = await Host.ConnectTcpAsync(GatewayFixture.Unique("tx"));
        await using var json = await Host.ConnectWebSocketAsync(GatewayFixture.Unique("js"));
        await text.JoinAsync(room);
        await json.JoinAsync(room);
        await json.CommandAsync("/format json");
        await alice.JoinAsync(room);

        await alice.SendAsync("\u001b[2J\u001b[Hcleared\ttab\u007f");
        await alice.SendAsync("/quit bye\u001b[5m now");

        await text.ReadUntilAsync($"[{room}] {alice.Nick}: {Bad}[2J{Bad}[Hcleared tab{Bad}");
        await text.ReadUntilAsync($"[{room}] <- {alice.Nick} left (quit: bye{Bad}[5m now)");
        var message = await json.ReadJsonAsync("message", m => m.GetProperty("room").GetString() == room);
        Assert.Equal("\u001b[2J\u001b[Hcleared\ttab\u007f", message.GetProperty("text").GetString());
    }
}
