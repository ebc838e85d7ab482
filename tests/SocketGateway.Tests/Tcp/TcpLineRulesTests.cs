using System.Text;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>The rules around the commands: /quit, case, unknown commands, "//", blank lines.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TcpLineRulesTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Theory]
    [InlineData("/quit see you later", " (quit: see you later)")]
    [InlineData("/quit", " (quit)")]
    [InlineData("/QUIT    ", " (quit)")]
    public async Task Quit_says_bye_closes_and_tells_every_room_why(string command, string suffix)
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);

        await bob.SendAsync(command);

        await bob.ReadUntilAsync("* bye");
        await bob.AssertClosedAsync();
        await alice.ReadUntilAsync($"[lobby] <- {bob.Nick} left{suffix}");
        await alice.ReadUntilAsync($"[{room}] <- {bob.Nick} left{suffix}");
        Assert.Equal([$"* members of {room}: {alice.Nick} (tcp)"], await alice.RepliesAsync($"/who {room}"));
    }

    [Fact]
    public async Task Hanging_up_without_quit_is_a_disconnect()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);

        await bob.DisposeAsync();

        await alice.ReadUntilAsync($"[{room}] <- {bob.Nick} left (disconnected)");
    }

    [Fact]
    public async Task Commands_are_case_insensitive()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync();
        await alice.ReadWelcomeAsync();
        var nick = GatewayFixture.Unique("Case");

        await alice.SendAsync($"/NICK {nick}");
        await alice.ReadUntilAsync($"[lobby] * {alice.Nick} is now known as {nick}");
        Assert.Equal([$"[{room}] -> {nick} joined (tcp)"], await alice.RepliesAsync($"/JoIn {room}"));
        Assert.Equal([$"[{room}] * {nick} shouts"], await alice.RepliesAsync("/ME shouts"));
        Assert.Equal([$"* members of {room}: {nick} (tcp)"], await alice.RepliesAsync("/Who"));
        Assert.Equal(["{\"type\":\"info\",\"text\":\"output format is now json\"}"], await alice.RepliesAsync("/FORMAT JSON"));
        Assert.Equal(["* output format is now text"], await alice.RepliesAsync("/Format Text"));
        Assert.Equal([$"[{room}] <- {nick} left"], await alice.RepliesAsync("/LEAVE"));
    }

    [Theory]
    [InlineData("/frobnicate")]
    [InlineData("/frobnicate with arguments")]
    [InlineData("/")]
    [InlineData("/ping/")]
    public async Task An_unknown_command_is_an_error(string line)
    {
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await alice.ExpectErrorAsync(line, "unknown_command");
    }

    [Fact]
    public async Task Double_slash_sends_the_text_with_one_slash()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.JoinAsync(room);
        await alice.JoinAsync(room);

        await alice.SendAsync("//shrug");
        await alice.SendAsync("///etc/passwd is a path");
        await alice.SendAsync("//join lobby");

        await bob.ReadUntilAsync($"[{room}] {alice.Nick}: /shrug");
        Assert.Equal($"[{room}] {alice.Nick}: //etc/passwd is a path", await bob.ReadLineAsync());
        Assert.Equal($"[{room}] {alice.Nick}: /join lobby", await bob.ReadLineAsync());
    }

    [Fact]
    public async Task Empty_and_white_space_lines_are_ignored()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.JoinAsync(room);
        await alice.JoinAsync(room);
        await bob.SyncAsync();

        await alice.SendRawAsync(Encoding.UTF8.GetBytes("\n\r\n   \n\t\t\r\n\u00a0\u2003\u3000\u0085\u2028\u000b\u000c\n"));

        Assert.Empty(await alice.SyncAsync());
        Assert.Empty(await bob.SyncAsync());
        await alice.SendAsync("and now something");
        Assert.Equal($"[{room}] {alice.Nick}: and now something", await bob.ReadLineAsync());
    }
}
