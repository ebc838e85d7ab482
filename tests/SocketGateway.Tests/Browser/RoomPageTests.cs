using SocketGateway.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SocketGateway.Tests.Browser;

/// <summary>Rooms from the page: join, create, leave, history on join and paging back through it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RoomPageTests(BrowserFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Joining_and_creating_rooms_from_the_page_shows_the_user_as_web_to_tcp()
    {
        var existing = GatewayFixture.Unique("r");
        var created = GatewayFixture.Unique("new");
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("nc"));
        await tcp.SendAsync($"/join {existing}");
        await using var page = await fixture.OpenChatAsync();
        await page.SetNickAsync(GatewayFixture.Unique("web"));

        // An existing room, from the sidebar form.
        await page.Page.GetByLabel("Join or create a room").FillAsync($"#{existing.ToUpperInvariant()}");
        await page.Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        await Expect(page.Title).ToHaveTextAsync($"#{existing}");
        await Expect(page.Conversation($"room:{existing}")).ToContainTextAsync("2");
        await Expect(page.Page.Locator("#member-list [data-nick]")).ToHaveCountAsync(2);
        await Expect(page.Page.Locator($"#member-list [data-nick=\"{tcp.Nick}\"] .via-tcp")).ToHaveTextAsync("tcp");

        // A new room, with /join typed in the message box.
        await page.JoinAsync(created);
        await Expect(page.Conversation($"room:{created}")).ToBeVisibleAsync();

        await tcp.SendAsync($"/who {existing}");
        var who = await tcp.ReadUntilAsync(l => l.StartsWith($"* members of {existing}: ", StringComparison.Ordinal));
        Assert.Contains($"{page.Nick} (web)", who, StringComparison.Ordinal);
        Assert.Contains($"{tcp.Nick} (tcp)", who, StringComparison.Ordinal);
        await tcp.SendAsync($"/who {created}");
        Assert.Equal($"* members of {created}: {page.Nick} (web)", await tcp.ReadUntilAsync(l => l.StartsWith($"* members of {created}: ", StringComparison.Ordinal)));

        // Leaving: the room goes from the list and TCP sees the notice.
        await page.Conversation($"room:{existing}").ClickAsync();
        await page.Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = $"Leave #{existing}" }).ClickAsync();
        await tcp.ReadUntilAsync($"[{existing}] <- {page.Nick} left");
        await Expect(page.Conversation($"room:{existing}")).ToHaveCountAsync(0);
        Assert.Empty(page.ConsoleErrors);
    }

    [Fact]
    public async Task History_appears_on_join_and_load_older_pages_back_through_it()
    {
        var room = GatewayFixture.Unique("h");
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("nc"));
        await tcp.SendAsync($"/join {room}");
        for (var i = 1; i <= 60; i++)
        {
            await tcp.SendAsync($"line {i:00}");
        }

        await tcp.ReadUntilAsync($"[{room}] {tcp.Nick}: line 60");
        await using var page = await fixture.OpenChatAsync();
        await page.JoinAsync(room);

        await page.ExpectMessageAsync("line 60");
        await page.ExpectMessageAsync("line 11");
        await Expect(page.Message("line 10")).ToHaveCountAsync(0);
        var older = page.Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Load older messages" });
        await older.ClickAsync();
        await page.ExpectMessageAsync("line 01");
        await Expect(page.Message("line ")).ToHaveCountAsync(60);
        await Expect(older).ToBeHiddenAsync();
        await Expect(page.Page.Locator("#timeline-start")).ToHaveTextAsync($"This is the beginning of #{room}.");

        // In order, oldest first.
        var texts = await page.Message("line ").AllTextContentsAsync();
        Assert.Equal(Enumerable.Range(1, 60).Select(i => $"line {i:00}"), texts);
    }

    [Fact]
    public async Task The_view_follows_new_messages_until_the_user_scrolls_up()
    {
        var room = GatewayFixture.Unique("s");
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("nc"));
        await tcp.SendAsync($"/join {room}");
        await using var page = await fixture.OpenChatAsync(width: 800, height: 500);
        await page.JoinAsync(room);
        for (var i = 1; i <= 30; i++)
        {
            await tcp.SendAsync($"filler {i}");
        }

        await page.ExpectMessageAsync("filler 30");
        await Expect(page.Message("filler 30")).ToBeInViewportAsync();

        await page.Page.Locator("#timeline").EvaluateAsync("t => t.scrollTop = 0");
        await tcp.SendAsync("while you read old messages");
        await page.ExpectMessageAsync("while you read old messages");
        await Expect(page.Message("while you read old messages")).Not.ToBeInViewportAsync();
        var jump = page.Page.Locator("#jump-button");
        await Expect(jump).ToHaveTextAsync("1 new message ↓");

        await jump.ClickAsync();
        await Expect(page.Message("while you read old messages")).ToBeInViewportAsync();
        await Expect(jump).ToBeHiddenAsync();
    }
}
