using System.Text.RegularExpressions;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>Every command of the TCP line protocol in text format, on the shared gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed partial class TcpTextCommandTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [GeneratedRegex("^\\* welcome to SocketGateway \u2014 you are (guest-[0-9a-f]{4,}); type /help$")]
    private static partial Regex WelcomeLine();

    [Fact]
    public async Task A_connection_gets_the_exact_welcome_line_then_joins_the_lobby_as_a_guest()
    {
        await using var client = await Host.ConnectTcpAsync();

        var welcome = await client.ReadLineAsync();
        var match = WelcomeLine().Match(welcome ?? "");
        Assert.True(match.Success, $"welcome line: {welcome}");
        var guest = match.Groups[1].Value;
        Assert.Equal($"[lobby] -> {guest} joined (tcp)", await client.ReadLineAsync());
        Assert.Contains($"{guest} (tcp)", Assert.Single(await client.RepliesAsync("/who lobby")));
    }

    [Fact]
    public async Task Help_lists_the_commands_as_info_lines()
    {
        await using var client = await Host.ConnectTcpAsync(GatewayFixture.Unique("help"));

        var lines = await client.RepliesAsync("/help");

        Assert.True(lines.Count > 5, string.Join("\n", lines));
        Assert.All(lines, l => Assert.StartsWith("* ", l));
        var help = string.Join("\n", lines);
        foreach (var command in new[] { "/nick", "/join", "/leave", "/part", "/rooms", "/list", "/who", "/names", "/msg", "/me", "/topic", "/history", "/format", "/ping", "/quit" })
        {
            Assert.Contains(command, help);
        }
    }

    [Fact]
    public async Task Nick_is_announced_once_per_shared_room_and_used_from_then_on()
    {
        var (room1, room2) = (GatewayFixture.Unique("r"), GatewayFixture.Unique("r"));
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        foreach (var room in new[] { room1, room2 })
        {
            await alice.JoinAsync(room);
            await bob.JoinAsync(room);
        }

        var old = alice.Nick;
        var carol = GatewayFixture.Unique("Carol");
        var own = await alice.CommandAsync($"/nick {carol}");
        var seen = (await bob.SyncAsync()).Where(l => l.Contains(" is now known as ", StringComparison.Ordinal)).ToList();

        string[] expected = [$"[lobby] * {old} is now known as {carol}", $"[{room1}] * {old} is now known as {carol}", $"[{room2}] * {old} is now known as {carol}"];
        Assert.Equal(expected, seen);
        Assert.Equal(expected, own.Where(l => l.Contains(" is now known as ", StringComparison.Ordinal)));

        await alice.SendAsync("still me");
        await bob.ReadUntilAsync($"[{room2}] {carol}: still me");
        Assert.Contains($"{carol} (tcp)", Assert.Single(await bob.RepliesAsync($"/who {room1}")));
    }

    [Fact]
    public async Task Nick_outside_every_room_is_confirmed_to_the_user()
    {
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await alice.CommandAsync("/leave lobby");

        var nick = GatewayFixture.Unique("Solo");
        Assert.Equal([$"* you are now known as {nick}"], await alice.CommandAsync($"/nick {nick}"));
    }

    [Fact]
    public async Task Join_creates_a_room_normalizes_its_name_and_makes_it_current()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));

        Assert.Equal([$"[{room}] -> {alice.Nick} joined (tcp)"], await alice.RepliesAsync($"/join #{room.ToUpperInvariant()}"));
        await bob.JoinAsync(room);
        await alice.ReadUntilAsync($"[{room}] -> {bob.Nick} joined (tcp)");

        await alice.SendAsync("in the new room");
        await bob.ReadUntilAsync($"[{room}] {alice.Nick}: in the new room");
        Assert.Equal($"* members of {room}: {alice.Nick} (tcp), {bob.Nick} (tcp)", Assert.Single(await bob.RepliesAsync($"/who {room}")));
    }

    [Fact]
    public async Task Joining_a_room_one_is_in_only_makes_it_current()
    {
        var (first, second) = (GatewayFixture.Unique("r"), GatewayFixture.Unique("r"));
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.JoinAsync(first);
        await bob.JoinAsync(second);
        await alice.JoinAsync(first);
        await alice.JoinAsync(second);

        Assert.Equal([$"* {first} is now your current room"], await alice.RepliesAsync($"/join {first}"));
        await alice.SendAsync("back in the first");

        await bob.ReadUntilAsync($"[{first}] {alice.Nick}: back in the first");
        var bobSaw = await bob.SyncAsync();
        Assert.DoesNotContain(bobSaw, l => l.Contains($"{alice.Nick} joined", StringComparison.Ordinal));
        Assert.Equal($"* members of {first}: {bob.Nick} (tcp), {alice.Nick} (tcp)", Assert.Single(await bob.RepliesAsync($"/who {first}")));
    }

    [Theory]
    [InlineData("/leave", false)]
    [InlineData("/part", false)]
    [InlineData("/leave", true)]
    [InlineData("/part", true)]
    public async Task Leave_and_part_leave_the_current_or_the_named_room(string command, bool naming)
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.JoinAsync(room);
        await alice.JoinAsync(room);
        await bob.ReadUntilAsync($"[{room}] -> {alice.Nick} joined (tcp)");

        var replies = await alice.RepliesAsync(naming ? $"{command} {room.ToUpperInvariant()}" : command);

        Assert.Equal([$"[{room}] <- {alice.Nick} left"], replies);
        await bob.ReadUntilAsync($"[{room}] <- {alice.Nick} left");
        Assert.Equal($"* members of {room}: {bob.Nick} (tcp)", Assert.Single(await bob.RepliesAsync($"/who {room}")));
    }

    [Fact]
    public async Task Who_and_names_list_members_with_their_transport_even_from_outside()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var web = await Host.ConnectHubAsync(GatewayFixture.Unique("we"));
        await using var ws = await Host.ConnectWebSocketAsync(GatewayFixture.Unique("ws"));
        await using var outsider = await Host.ConnectTcpAsync(GatewayFixture.Unique("ou"));
        await alice.JoinAsync(room);
        await web.InvokeAsync<object>("Join", room);
        await ws.JoinAsync(room);
        await alice.ReadUntilAsync($"[{room}] -> {ws.Nick} joined (ws)");

        var expected = $"* members of {room}: {alice.Nick} (tcp), {web.Nick} (web), {ws.Nick} (ws)";
        Assert.Equal([expected], await alice.RepliesAsync("/who"));
        Assert.Equal([expected], await alice.RepliesAsync("/NAMES"));
        Assert.Equal([expected], await outsider.RepliesAsync($"/who {room}"));
        Assert.Equal([expected], await outsider.RepliesAsync($"/names #{room}"));
    }

    [Fact]
    public async Task Msg_sends_a_private_message_to_a_nick_in_any_case()
    {
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("Bo"));

        var echo = await alice.RepliesAsync($"/msg {bob.Nick.ToLowerInvariant()}   psst, over here  ");

        Assert.Equal([$"[pm] -> {bob.Nick}: psst, over here"], echo);
        await bob.ReadUntilAsync($"[pm] {alice.Nick}: psst, over here");
    }

    [Fact]
    public async Task Me_sends_an_action_to_the_current_room()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.JoinAsync(room);
        await alice.JoinAsync(room);

        Assert.Equal([$"[{room}] * {alice.Nick} waves"], await alice.RepliesAsync("/me waves"));
        await bob.ReadUntilAsync($"[{room}] * {alice.Nick} waves");
    }

    [Fact]
    public async Task Topic_shows_no_topic_then_the_topic_set_by_an_administrator()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await alice.JoinAsync(room);
        Assert.Equal([$"* {room} has no topic"], await alice.RepliesAsync("/topic"));

        await Host.SetTopicAsync(room, "Deploys at 5 \u2014 be nice");

        await alice.ReadUntilAsync($"* topic of {room}: Deploys at 5 \u2014 be nice");
        Assert.Equal([$"* topic of {room}: Deploys at 5 \u2014 be nice"], await alice.RepliesAsync("/TOPIC"));
    }

    [Fact]
    public async Task Ping_answers_pong()
    {
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await alice.SendAsync("/ping");
        await alice.ReadUntilAsync("* pong");
        await alice.SendAsync("/PiNg");
        await alice.ReadUntilAsync("* pong");
    }
}
