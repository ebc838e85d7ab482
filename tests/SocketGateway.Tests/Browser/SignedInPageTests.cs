using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using SocketGateway.Tests.Identity;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;
using static Microsoft.Playwright.Assertions;

namespace SocketGateway.Tests.Browser;

/// <summary>The page signed in with the website's token: from the fragment or from postMessage, as the contract says.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SignedInPageTests(BrowserFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    private HttpClient Admin()
    {
        var http = Host.CreateHttpClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", BrowserFixture.AdminKey);
        return http;
    }

    [Fact]
    public async Task Opened_as_token_fragment_the_page_shows_the_account_hides_private_rooms_it_may_not_join_and_gives_operators_their_actions()
    {
        var (mine, theirs, ops) = (GatewayFixture.Unique("staff"), GatewayFixture.Unique("vault"), GatewayFixture.Unique("ops"));
        var (account, nick) = (GatewayFixture.Unique("u"), GatewayFixture.Unique("olga"));
        using var admin = Admin();
        foreach (var (name, isPrivate) in new[] { (mine, true), (theirs, true), (ops, false) })
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/rooms", new { name, @private = isPrivate })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync($"api/rooms/{ops}/operators/{account}", null)).StatusCode);
        await using var watcher = await Host.ConnectTcpAsync(GatewayFixture.Unique("nc"));
        await watcher.JoinAsync(ops);
        await using var troll = await Host.ConnectTcpAsync(GatewayFixture.Unique("troll"));
        await troll.JoinAsync(ops);

        await using var page = await fixture.OpenSignedInChatAsync(TestTokens.Hs256(account, name: nick, claims: PrivateRoomTests.Rooms(mine)), nick);
        await Expect(page.Page.Locator("#me-account")).ToHaveTextAsync($"account {account}");
        await Expect(page.Page.Locator("#me-label")).ToHaveTextAsync("Signed in as");
        await Expect(page.Page.Locator("#nick-edit")).ToBeHiddenAsync();
        Assert.DoesNotContain("token", page.Page.Url, StringComparison.Ordinal); // the fragment is wiped at once
        var directory = page.Page.Locator("#directory-list");
        await Expect(directory.GetByRole(AriaRole.Button, new() { Name = $"Join #{mine}" })).ToBeVisibleAsync();
        await Expect(directory.GetByRole(AriaRole.Button, new() { Name = $"Join #{theirs}" })).ToHaveCountAsync(0);

        // In a room it moderates: Edit topic, and Kick / Ban beside each member.
        await page.JoinAsync(ops);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Edit topic" }).ClickAsync();
        await Expect(page.Composer).ToHaveValueAsync("/topic ");
        await page.Composer.PressSequentiallyAsync("Deploy at noon");
        await page.Composer.PressAsync("Enter");
        await watcher.ReadUntilAsync($"* topic of {ops}: Deploy at noon");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = $"Kick {troll.Nick} from #{ops}" }).ClickAsync();
        await troll.ReadUntilAsync($"* you were removed from {ops}");
        await watcher.ReadUntilAsync($"[{ops}] <- {troll.Nick} left (kicked)");
        await troll.JoinAsync(ops);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = $"Ban {troll.Nick} from #{ops}" }).ClickAsync();
        await watcher.ReadUntilAsync($"[{ops}] <- {troll.Nick} left (kicked: banned)");
        await troll.ExpectErrorAsync($"/join {ops}", "forbidden");

        // A guest's page: no private room, no operator actions.
        await using var guest = await fixture.OpenChatAsync();
        await Expect(guest.Page.Locator("#me-label")).ToHaveTextAsync("Chatting as guest");
        await Expect(guest.Page.Locator("#directory-list").GetByRole(AriaRole.Button, new() { Name = $"Join #{ops}" })).ToBeVisibleAsync();
        await Expect(guest.Page.Locator("#directory-list").GetByRole(AriaRole.Button, new() { Name = $"Join #{mine}" })).ToHaveCountAsync(0);
        await guest.JoinAsync(ops);
        await Expect(guest.Page.Locator($"#member-list [data-nick=\"{nick}\"]")).ToBeVisibleAsync();
        await Expect(guest.Page.GetByRole(AriaRole.Button, new() { Name = "Edit topic" })).ToBeHiddenAsync();
        await Expect(guest.Page.Locator("#member-list [data-action]")).ToHaveCountAsync(0);
        Assert.Empty(page.ConsoleErrors);
        Assert.Empty(guest.ConsoleErrors);
    }

    [Fact]
    public async Task A_token_posted_by_the_embedding_site_signs_the_open_page_in_and_a_reload_stays_signed_in()
    {
        var (account, nick) = (GatewayFixture.Unique("u"), GatewayFixture.Unique("pia"));
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("nc"));
        await using var page = await fixture.OpenChatAsync();
        var guestNick = page.Nick;

        await page.Page.EvaluateAsync("token => window.postMessage({ type: 'socketgateway:token', token }, '*')", TestTokens.Hs256(account, name: nick));
        await Expect(page.Me).ToHaveTextAsync(nick);
        await Expect(page.Page.Locator("#me-account")).ToHaveTextAsync($"account {account}");
        await tcp.ReadUntilAsync($"[lobby] * {guestNick} is now known as {nick}");

        await page.Page.ReloadAsync();
        await page.ExpectConnectedAsync();
        await Expect(page.Me).ToHaveTextAsync(nick);
        await tcp.ReadUntilAsync($"[lobby] -> {nick} joined (web)");
        Assert.Empty(page.ConsoleErrors);
    }
}
