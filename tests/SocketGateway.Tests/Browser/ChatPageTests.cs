using Microsoft.Playwright;
using SocketGateway.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SocketGateway.Tests.Browser;

/// <summary>The chat page against the real gateway: messages between the page, TCP users and other pages.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatPageTests(BrowserFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task The_page_loads_without_console_errors_under_a_strict_content_security_policy()
    {
        await using var page = await fixture.OpenChatAsync();

        var csp = await page.Response!.HeaderValueAsync("content-security-policy");
        Assert.NotNull(csp);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal(0, await page.Page.Locator("script:not([src])").CountAsync());
        var scripts = await page.Page.Locator("script[src]").EvaluateAllAsync<string[]>("s => s.map(e => e.src)");
        Assert.All(scripts, src => Assert.StartsWith(Host.HttpUri.ToString(), src, StringComparison.Ordinal));

        // The controls a keyboard or screen-reader user needs have names.
        await Expect(page.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message #lobby" })).ToBeVisibleAsync();
        await Expect(page.Page.GetByRole(AriaRole.Button, new() { Name = "Send message" })).ToBeVisibleAsync();
        await Expect(page.Page.GetByLabel("Join or create a room")).ToBeVisibleAsync();
        await Expect(page.Page.Locator("#member-list [data-nick]").Filter(new() { HasText = page.Nick })).ToContainTextAsync("web");
        await Expect(page.Page.Locator("#connection-text")).ToHaveTextAsync("Connected");
        Assert.Empty(page.ConsoleErrors);
    }

    [Fact]
    public async Task A_message_typed_in_the_page_reaches_tcp_and_a_tcp_message_appears_in_the_page()
    {
        var room = GatewayFixture.Unique("r");
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("nc"));
        await tcp.SendAsync($"/join {room}");
        await using var page = await fixture.OpenChatAsync();
        await page.SetNickAsync(GatewayFixture.Unique("web"));
        await page.JoinAsync(room);
        await tcp.ReadUntilAsync($"[{room}] -> {page.Nick} joined (web)");

        await page.SubmitAsync("hello from the browser");
        await tcp.ReadUntilAsync($"[{room}] {page.Nick}: hello from the browser");

        await tcp.SendAsync("hello from nc");
        var row = page.MessageRow("hello from nc");
        await Expect(row).ToHaveAttributeAsync("data-from", tcp.Nick);
        await Expect(row).ToHaveAttributeAsync("data-via", "tcp");
        await Expect(row.Locator(".via-tcp")).ToHaveTextAsync("tcp");

        // /me works both ways and is styled as an action.
        await page.SubmitAsync("/me waves from the page");
        await tcp.ReadUntilAsync($"[{room}] * {page.Nick} waves from the page");
        await tcp.SendAsync("/me nods");
        await Expect(page.Page.Locator("#messages .msg-action").Filter(new() { HasText = "nods" })).ToContainTextAsync(tcp.Nick);
        await Expect(page.Page.Locator("#messages .msg-action").Filter(new() { HasText = "waves from the page" })).ToHaveCountAsync(1);
        Assert.Empty(page.ConsoleErrors);
    }

    [Fact]
    public async Task Two_pages_chat_with_each_other_and_unread_messages_are_counted()
    {
        var room = GatewayFixture.Unique("r");
        await using var ann = await fixture.OpenChatAsync();
        await using var ben = await fixture.OpenChatAsync();
        await ann.JoinAsync(room);
        await ben.JoinAsync(room);
        await Expect(ann.Page.Locator("#messages .notice-join").Filter(new() { HasText = $"{ben.Nick} joined" })).ToHaveCountAsync(1);

        await ann.SubmitAsync("hi Ben");
        await ben.ExpectMessageAsync("hi Ben");
        await ben.SubmitAsync("hi Ann");
        await ann.ExpectMessageAsync("hi Ann");

        // Ann looks at the lobby; Ben's next message counts as unread in Ann's room list.
        await ann.Conversation("room:lobby").ClickAsync();
        await Expect(ann.Title).ToHaveTextAsync("#lobby");
        await ben.SubmitAsync("are you there?");
        await Expect(ann.Conversation($"room:{room}").Locator(".badge")).ToHaveTextAsync("1");
        await Expect(ann.Page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex(@"^\(1\) "));
        await ann.Conversation($"room:{room}").ClickAsync();
        await ann.ExpectMessageAsync("are you there?");
        await Expect(ann.Conversation($"room:{room}").Locator(".badge")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Private_messages_go_from_the_page_to_tcp_and_back()
    {
        var room = GatewayFixture.Unique("r");
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("nc"));
        await using var page = await fixture.OpenChatAsync();

        await page.SubmitAsync($"/msg {tcp.Nick} psst, over here");
        await tcp.ReadUntilAsync($"[pm] {page.Nick}: psst, over here");
        await Expect(page.Title).ToHaveTextAsync($"@{tcp.Nick}");
        await page.ExpectMessageAsync("psst, over here");

        await tcp.SendAsync($"/msg {page.Nick} got it");
        await page.ExpectMessageAsync("got it");

        // From a room's member list: select the TCP user to open the conversation, then type.
        await tcp.SendAsync($"/join {room}");
        await page.JoinAsync(room);
        await page.Page.Locator("#member-list button").Filter(new() { HasText = tcp.Nick }).ClickAsync();
        await Expect(page.Title).ToHaveTextAsync($"@{tcp.Nick}");
        await page.SubmitAsync("sent from the member list");
        await tcp.ReadUntilAsync($"[pm] {page.Nick}: sent from the member list");

        // A private message that arrives while another conversation is open is counted as unread.
        await page.Conversation($"room:{room}").ClickAsync();
        await tcp.SendAsync($"/msg {page.Nick} one more thing");
        await Expect(page.Conversation($"dm:{tcp.Nick}").Locator(".badge")).ToHaveTextAsync("1");
    }

    [Fact]
    public async Task Markup_in_messages_is_shown_as_text_and_never_runs()
    {
        var room = GatewayFixture.Unique("r");
        const string Img = "<img src=x onerror=\"window.__pwned = 1\">";
        const string Script = "<script>window.__pwned = 2</script><b>bold?</b>";
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("nc"));
        await tcp.SendAsync($"/join {room}");
        await using var page = await fixture.OpenChatAsync();
        await page.JoinAsync(room);

        await tcp.SendAsync(Img);
        await tcp.SendAsync($"/me {Script}");
        await page.SubmitAsync("<svg onload=\"window.__pwned = 3\"></svg>");

        await Expect(page.Message("onerror")).ToHaveTextAsync(Img);
        await Expect(page.Message("bold?")).ToHaveTextAsync(Script);
        await Expect(page.Message("svg")).ToHaveTextAsync("<svg onload=\"window.__pwned = 3\"></svg>");
        Assert.Equal(0, await page.Page.Locator("#messages img, #messages script, #messages b, #messages svg").CountAsync());
        Assert.True(await page.Page.EvaluateAsync<bool>("() => window.__pwned === undefined"));
        Assert.Empty(page.ConsoleErrors);
    }

    [Fact]
    public async Task The_page_works_from_the_keyboard()
    {
        var room = GatewayFixture.Unique("k");
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("nc"));
        await tcp.SendAsync($"/join {room}");
        await using var page = await fixture.OpenChatAsync();
        var keyboard = page.Page.Keyboard;

        // The first Tab reaches the skip link, which leads to the message box.
        await keyboard.PressAsync("Tab");
        await Expect(page.Page.GetByRole(AriaRole.Link, new() { Name = "Skip to the message box" })).ToBeFocusedAsync();
        await keyboard.PressAsync("Enter");
        await Expect(page.Composer).ToBeFocusedAsync();

        await keyboard.TypeAsync($"/join {room}");
        await keyboard.PressAsync("Enter");
        await Expect(page.Title).ToHaveTextAsync($"#{room}");
        await Expect(page.Composer).ToBeFocusedAsync();

        // Shift+Enter starts a new line; Enter sends both lines as one message.
        await keyboard.TypeAsync("first line");
        await keyboard.PressAsync("Shift+Enter");
        await keyboard.TypeAsync("second line");
        await keyboard.PressAsync("Enter");
        await Expect(page.Message("second line")).ToHaveTextAsync("first line\nsecond line");
        await tcp.ReadUntilAsync($"[{room}] {page.Nick}: first line\u2424second line");

        // Every control on the way is a real, named button or field.
        var unnamed = await page.Page.Locator("button:visible, input:visible, textarea:visible").EvaluateAllAsync<int>(
            "els => els.filter(e => !(e.labels?.length || e.getAttribute('aria-label') || e.textContent.trim())).length");
        Assert.Equal(0, unnamed);
    }

    [Fact]
    public async Task The_nick_can_be_changed_and_the_servers_refusal_is_shown_inline()
    {
        var taken = GatewayFixture.Unique("Taken");
        await using var tcp = await Host.ConnectTcpAsync(taken);
        await using var page = await fixture.OpenChatAsync();

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Change" }).ClickAsync();
        var input = page.Page.GetByLabel("New nick");
        await input.FillAsync(taken.ToLowerInvariant());
        await input.PressAsync("Enter");
        await Expect(page.Page.Locator("#nick-error")).ToContainTextAsync("in use");
        await Expect(input).ToHaveAttributeAsync("aria-invalid", "true");

        await input.FillAsync("9lives");
        await input.PressAsync("Enter");
        await Expect(page.Page.Locator("#nick-error")).Not.ToBeEmptyAsync();
        await Expect(page.Me).ToHaveTextAsync(page.Nick);

        var nick = GatewayFixture.Unique("Neo");
        await input.FillAsync(nick);
        await input.PressAsync("Enter");
        await Expect(page.Me).ToHaveTextAsync(nick);
        await Expect(input).ToBeHiddenAsync();
        await tcp.ReadUntilAsync($"[lobby] * {page.Nick} is now known as {nick}");

        // The same refusal for /nick typed in the message box.
        await page.TypeAsync($"/nick {taken}");
        await Expect(page.Page.Locator("#composer-error")).ToContainTextAsync("in use");
        await Expect(page.Me).ToHaveTextAsync(nick);
    }
}
