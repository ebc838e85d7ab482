using System.Text;
using System.Text.RegularExpressions;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.WebSockets;

/// <summary>The line protocol over /ws: one text frame a line each way, in the same rooms as TCP users.</summary>
[Collection(GatewayCollection.Name)]
public sealed partial class LineWebSocketTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [GeneratedRegex("^\\* welcome to SocketGateway \u2014 you are guest-[0-9a-f]{4,}; type /help$")]
    private static partial Regex WelcomeLine();

    [Fact]
    public async Task A_websocket_client_gets_the_welcome_and_the_lobby_like_tcp()
    {
        await using var ws = await Host.ConnectWebSocketAsync();

        Assert.Matches(WelcomeLine(), await ws.ReadWelcomeAsync());
        Assert.Equal($"[lobby] -> {ws.Nick} joined (ws)", await ws.ReadLineAsync());
    }

    [Fact]
    public async Task Tcp_and_websocket_users_talk_both_ways_and_websocket_members_show_as_ws()
    {
        var room = GatewayFixture.Unique("r");
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tc"));
        await using var json = await Host.ConnectTcpAsync(GatewayFixture.Unique("js"));
        await using var ws = await Host.ConnectWebSocketAsync(GatewayFixture.Unique("ws"));
        await using var ws2 = await Host.ConnectWebSocketAsync(GatewayFixture.Unique("wt"));
        await tcp.JoinAsync(room);
        await json.JoinAsync(room);
        await json.CommandAsync("/format json");
        await ws.JoinAsync(room);
        await ws2.JoinAsync(room);

        await tcp.ReadUntilAsync($"[{room}] -> {ws.Nick} joined (ws)");
        var joined = await json.ReadJsonAsync("joined", j => j.GetProperty("nick").GetString() == ws.Nick);
        Assert.Equal("ws", joined.GetProperty("via").GetString());

        await ws.SendAsync("hello from a websocket");
        await tcp.ReadUntilAsync($"[{room}] {ws.Nick}: hello from a websocket");
        await ws2.ReadUntilAsync($"[{room}] {ws.Nick}: hello from a websocket");
        var message = await json.ReadJsonAsync("message", m => m.GetProperty("room").GetString() == room);
        Assert.Equal("ws", message.GetProperty("via").GetString());
        Assert.Equal(ws.Nick, message.GetProperty("from").GetString());

        await tcp.SendAsync("hello from nc");
        await ws.ReadUntilAsync($"[{room}] {tcp.Nick}: hello from nc");
        await ws2.ReadUntilAsync($"[{room}] {tcp.Nick}: hello from nc");

        await tcp.SendAsync($"/msg {ws.Nick} psst");
        await ws.ReadUntilAsync($"[pm] {tcp.Nick}: psst");
        await ws.SendAsync($"/msg {tcp.Nick} psst back");
        await tcp.ReadUntilAsync($"[pm] {ws.Nick}: psst back");
        await ws.ReadUntilAsync($"[pm] -> {tcp.Nick}: psst back");

        var who = $"* members of {room}: {tcp.Nick} (tcp), {json.Nick} (tcp), {ws.Nick} (ws), {ws2.Nick} (ws)";
        Assert.Equal([who], await tcp.RepliesAsync("/who"));
        Assert.Equal([who], await ws.RepliesAsync("/names"));
    }

    [Fact]
    public async Task A_trailing_newline_in_a_frame_is_accepted_and_not_doubled()
    {
        var (ws, tcp, room) = await PairAsync();

        await ws.SendRawAsync(Encoding.UTF8.GetBytes("with newline\n"));
        await ws.SendRawAsync(Encoding.UTF8.GetBytes("with crlf\r\n"));
        await ws.SendRawAsync(Encoding.UTF8.GetBytes("without"));

        Assert.Equal($"[{room}] {ws.Nick}: with newline", await tcp.ReadLineAsync());
        Assert.Equal($"[{room}] {ws.Nick}: with crlf", await tcp.ReadLineAsync());
        Assert.Equal($"[{room}] {ws.Nick}: without", await tcp.ReadLineAsync());
        Assert.DoesNotContain(await ws.SyncAsync(), l => l.StartsWith('!'));
    }

    [Fact]
    public async Task A_frame_with_newlines_inside_is_several_lines()
    {
        var (ws, tcp, room) = await PairAsync();

        await ws.SendRawAsync(Encoding.UTF8.GetBytes("one\ntwo\r\n\n   \n/me three\n//four"));

        Assert.Equal($"[{room}] {ws.Nick}: one", await tcp.ReadLineAsync());
        Assert.Equal($"[{room}] {ws.Nick}: two", await tcp.ReadLineAsync());
        Assert.Equal($"[{room}] * {ws.Nick} three", await tcp.ReadLineAsync());
        Assert.Equal($"[{room}] {ws.Nick}: /four", await tcp.ReadLineAsync());
        Assert.Equal(
            [$"[{room}] {ws.Nick}: one", $"[{room}] {ws.Nick}: two", $"[{room}] * {ws.Nick} three", $"[{room}] {ws.Nick}: /four"],
            await ws.SyncAsync());
    }

    [Fact]
    public async Task Each_line_of_a_multi_line_reply_is_its_own_frame_without_a_newline()
    {
        var (ws, _, room) = await PairAsync();
        await ws.CommandAsync("first");
        await ws.CommandAsync("second");

        var history = await ws.RepliesAsync("/history");

        Assert.Equal([$"* history of {room} (2 messages)", $"[{room}] {ws.Nick}: first", $"[{room}] {ws.Nick}: second", "* end of history"], history);
        Assert.All(history, l => Assert.DoesNotContain('\n', l));
    }

    [Fact]
    public async Task A_frame_over_the_line_limit_is_line_too_long_and_the_socket_stays_usable()
    {
        var (ws, tcp, room) = await PairAsync();

        await ws.SendAsync(new string('w', 8193));
        Assert.StartsWith("! line_too_long: ", Assert.Single(await ws.SyncAsync()));

        // 8,192 bytes exactly: 2,000 four-byte characters (the most a message may have) and 192 spaces, trimmed.
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", 2000));
        await ws.SendAsync(emoji + new string(' ', 192));
        await ws.SendAsync("after");

        Assert.Equal($"[{room}] {ws.Nick}: {emoji}", await tcp.ReadLineAsync());
        Assert.Equal($"[{room}] {ws.Nick}: after", await tcp.ReadLineAsync());
        Assert.Equal([$"[{room}] {ws.Nick}: {emoji}", $"[{room}] {ws.Nick}: after"], await ws.SyncAsync());
    }

    [Fact]
    public async Task Json_format_and_quit_work_over_websocket()
    {
        var (ws, tcp, room) = await PairAsync();

        Assert.Equal(["{\"type\":\"info\",\"text\":\"output format is now json\"}"], await ws.RepliesAsync("/format json"));
        await tcp.SendAsync("to json");
        var message = await ws.ReadJsonAsync("message", m => m.GetProperty("room").GetString() == room);
        Assert.Equal("to json", message.GetProperty("text").GetString());
        Assert.Equal("tcp", message.GetProperty("via").GetString());

        await ws.SendAsync("/quit off to bed");
        await tcp.ReadUntilAsync($"[{room}] <- {ws.Nick} left (quit: off to bed)");
        await ws.AssertClosedAsync();
    }

    private async Task<(LineClient Ws, LineClient Tcp, string Room)> PairAsync()
    {
        var room = GatewayFixture.Unique("r");
        var ws = await Host.ConnectWebSocketAsync(GatewayFixture.Unique("ws"));
        var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tc"));
        foreach (var client in new[] { tcp, ws })
        {
            // Out of the lobby: these clients live as long as the shared gateway and should not crowd it.
            await client.CommandAsync("/leave lobby");
            await client.JoinAsync(room);
        }

        await tcp.SyncAsync();
        await ws.SyncAsync();
        return (ws, tcp, room);
    }
}
