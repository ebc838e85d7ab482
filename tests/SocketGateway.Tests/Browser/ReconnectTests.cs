using System.Text.RegularExpressions;
using SocketGateway.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SocketGateway.Tests.Browser;

/// <summary>The page survives the server going away: it says so, comes back with its nick and rooms, and catches up.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ReconnectTests(BrowserFixture fixture)
{
    [Fact]
    public async Task After_a_server_restart_the_page_is_back_in_its_rooms_with_its_nick_and_shows_what_it_missed()
    {
        var room = GatewayFixture.Unique("r");
        var nick = GatewayFixture.Unique("Phoenix");
        var database = GatewayHost.NewDatabase(out var databasePath);
        try
        {
            var first = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Gateway"] = database });
            var samePorts = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Gateway"] = database,
                ["Gateway:Http:Port"] = first.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway:Tcp:Port"] = first.TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            await using var page = await fixture.OpenChatAsync(first);
            await page.SetNickAsync(nick);
            await page.JoinAsync(room);
            await page.SubmitAsync("before the restart");
            await page.SubmitAsync("/leave lobby");
            await Expect(page.Conversation("room:lobby")).ToHaveCountAsync(0);

            // Hold the page's reconnection back while the server restarts, so that something happens while it is away.
            await page.Page.RouteAsync(NegotiateRequest(), route => route.AbortAsync());
            await first.DisposeAsync();
            await Expect(page.App).Not.ToHaveAttributeAsync("data-connection", "connected");
            await Expect(page.Page.Locator("#connection-banner")).ToContainTextAsync(new Regex("Connection lost|not reachable|not answering"));
            await Expect(page.Page.Locator("#connection-text")).Not.ToHaveTextAsync("Connected");

            await using var second = await GatewayHost.StartAsync(samePorts);
            await using var tcp = await second.ConnectTcpAsync(GatewayFixture.Unique("nc"));
            await tcp.SendAsync($"/join {room}");
            await tcp.SendAsync("said while the page was away");
            await tcp.ReadUntilAsync($"[{room}] {tcp.Nick}: said while the page was away");

            await page.Page.UnrouteAllAsync();
            await page.ExpectConnectedAsync();
            await Expect(page.Me).ToHaveTextAsync(nick);
            await Expect(page.Title).ToHaveTextAsync($"#{room}");
            await page.ExpectMessageAsync("before the restart");
            await page.ExpectMessageAsync("said while the page was away");
            await Expect(page.Page.Locator("#messages .notice-ok")).ToHaveTextAsync(new Regex("Reconnected. 1 message you missed is shown above."));
            await Expect(page.Page.Locator("#connection-banner")).ToBeHiddenAsync();

            // The server agrees: the page is in its room, as a browser user, under its nick, and not in the lobby.
            await tcp.ReadUntilAsync($"[{room}] -> {nick} joined (web)");
            await tcp.SendAsync($"/who {room}");
            var who = await tcp.ReadUntilAsync(l => l.StartsWith($"* members of {room}: ", StringComparison.Ordinal));
            Assert.Contains($"{nick} (web)", who, StringComparison.Ordinal);
            await tcp.SendAsync("/who lobby");
            Assert.DoesNotContain(nick, await tcp.ReadUntilAsync(l => l.StartsWith("* members of lobby: ", StringComparison.Ordinal)), StringComparison.Ordinal);

            // And it chats as before.
            await page.SubmitAsync("back again");
            await tcp.ReadUntilAsync($"[{room}] {nick}: back again");
        }
        finally
        {
            foreach (var file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task When_the_server_is_gone_the_page_says_so_and_keeps_the_text_being_typed()
    {
        var host = await GatewayHost.StartAsync();
        await using var page = await fixture.OpenChatAsync(host);
        await page.Page.RouteAsync(NegotiateRequest(), route => route.AbortAsync());
        await host.DisposeAsync();

        await Expect(page.Page.Locator("#connection-banner")).ToBeVisibleAsync();
        await page.Composer.FillAsync("typed while offline");
        await page.Composer.PressAsync("Enter");
        await Expect(page.Page.Locator("#composer-error")).ToHaveTextAsync("Not connected to the server right now.");
        await Expect(page.Composer).ToHaveValueAsync("typed while offline");
    }

    [Fact]
    public async Task A_room_closed_while_the_page_was_away_is_shown_closed_once_and_not_re_created()
    {
        var kept = GatewayFixture.Unique("kept");
        var closed = GatewayFixture.Unique("gone");
        var database = GatewayHost.NewDatabase(out var databasePath);
        try
        {
            var first = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Gateway"] = database });
            await using var page = await fixture.OpenChatAsync(first);
            await page.JoinAsync(kept);
            await page.JoinAsync(closed);

            await page.Page.RouteAsync(NegotiateRequest(), route => route.AbortAsync());
            await first.DisposeAsync();
            await Expect(page.App).Not.ToHaveAttributeAsync("data-connection", "connected");
            await using var second = await GatewayHost.StartAsync(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Gateway"] = database,
                ["Gateway:Http:Port"] = first.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway:Tcp:Port"] = first.TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            using var http = second.CreateHttpClient();
            using (var response = await http.DeleteAsync($"api/rooms/{closed}"))
            {
                Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
            }

            await page.Page.UnrouteAllAsync();
            await page.ExpectConnectedAsync();
            await Expect(page.Page.Locator("#toasts .toast-text").Filter(new() { HasText = $"#{closed} was closed" })).ToHaveCountAsync(1);
            await Expect(page.Conversation($"room:{closed}")).ToHaveCountAsync(0);
            await Expect(page.Conversation($"room:{kept}")).ToHaveCountAsync(1);

            // The server agrees: the closed room was not re-created by a rejoin, the kept one has the page in it.
            using (var response = await http.GetAsync($"api/rooms/{closed}"))
            {
                Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
            }

            await using var tcp = await second.ConnectTcpAsync(GatewayFixture.Unique("nc"));
            await tcp.SendAsync($"/who {kept}");
            Assert.Contains("(web)", await tcp.ReadUntilAsync(l => l.StartsWith($"* members of {kept}: ", StringComparison.Ordinal)), StringComparison.Ordinal);
        }
        finally
        {
            foreach (var file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task A_private_conversation_and_the_chosen_nick_survive_a_reload_of_the_tab()
    {
        var nick = GatewayFixture.Unique("Reloader");
        await using var host = await GatewayHost.StartAsync();
        await using var tcp = await host.ConnectTcpAsync(GatewayFixture.Unique("nc"));
        await using var page = await fixture.OpenChatAsync(host);
        await page.SetNickAsync(nick);
        await page.SubmitAsync($"/msg {tcp.Nick} my first words");
        await tcp.ReadUntilAsync($"[pm] {nick}: my first words");
        await tcp.SendAsync($"/msg {nick} an answer");
        await page.ExpectMessageAsync("an answer");

        await page.Page.ReloadAsync();
        await page.ExpectConnectedAsync();
        await Expect(page.Me).ToHaveTextAsync(nick);
        await page.Conversation($"dm:{tcp.Nick}").ClickAsync();
        await page.ExpectMessageAsync("my first words");
        await page.ExpectMessageAsync("an answer");

        // And the conversation goes on from where it was.
        await tcp.SendAsync($"/msg {nick} after the reload");
        await page.ExpectMessageAsync("after the reload");

        // A new tab is a new session: nothing of it.
        await using var other = await fixture.OpenChatAsync(host);
        await Expect(other.Conversation($"dm:{tcp.Nick}")).ToHaveCountAsync(0);
        Assert.NotEqual(nick, await other.Me.TextContentAsync());
    }

    [GeneratedRegex("/hubs/chat/negotiate")]
    private static partial Regex NegotiateRequest();
}
