using System.Net;
using Microsoft.Playwright;
using SocketGateway.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SocketGateway.Tests.Browser;

/// <summary>/admin.html over the REST API, on a gateway that has an admin key.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminPageTests(BrowserFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task The_admin_page_creates_changes_posts_to_kicks_from_and_closes_a_room()
    {
        var room = GatewayFixture.Unique("adm");
        await using var context = await fixture.Browser.NewContextAsync(new() { BaseURL = Host.HttpUri.ToString() });
        context.SetDefaultTimeout((float)Timeouts.Step.TotalMilliseconds);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync("/admin.html");
        await Expect(page.Locator("#rooms-body tr[data-room=\"lobby\"]")).ToBeVisibleAsync();

        // Without the key the gateway refuses, and the page says why.
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(room);
        await page.GetByLabel("Topic optional").FillAsync("Made by the admin page");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();
        await Expect(page.Locator("#create-status")).ToContainTextAsync("Not authorized");

        await page.GetByLabel("API key", new() { Exact = true }).FillAsync(BrowserFixture.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use key" }).ClickAsync();
        await Expect(page.Locator("#key-status")).ToHaveTextAsync("A key is set for this tab.");
        Assert.Equal(BrowserFixture.AdminKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('socketgateway.adminKey')"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length"));

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(room);
        await page.GetByLabel("Topic optional").FillAsync("Made by the admin page");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();
        await Expect(page.Locator("#create-status")).ToHaveTextAsync($"Created #{room}.");
        var row = page.Locator($"#rooms-body tr[data-room=\"{room}\"]");
        await Expect(row).ToContainTextAsync("Made by the admin page");
        using var http = Host.CreateHttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"api/rooms/{room}")).StatusCode);

        // A TCP user in the room sees the topic change and the system message.
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("nc"));
        await tcp.SendAsync($"/join {room}");
        await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");
        await Expect(page.Locator("#detail-heading")).ToHaveTextAsync($"#{room}");
        await page.GetByLabel("Topic", new() { Exact = true }).FillAsync("Renamed topic");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await tcp.ReadUntilAsync($"* topic of {room}: Renamed topic");
        await Expect(row).ToContainTextAsync("Renamed topic");

        await page.GetByLabel("From", new() { Exact = true }).FillAsync("opsbot");
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync("Maintenance at 18:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Post message" }).ClickAsync();
        await tcp.ReadUntilAsync($"[{room}] opsbot: Maintenance at 18:00");

        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh", Exact = true }).ClickAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = $"Manage #{room}" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Kick {tcp.Nick} from #{room}" }).ClickAsync();
        await tcp.ReadUntilAsync($"* you were removed from {room}");
        await Expect(page.Locator("#members-status")).ToHaveTextAsync($"{tcp.Nick} was removed from #{room}.");

        await tcp.SendAsync($"/join {room}");
        await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Close room…" }).ClickAsync();
        await page.GetByLabel("Reason shown to members").FillAsync("moving to #ops");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Close #{room}" }).ClickAsync();
        await tcp.ReadUntilAsync($"* room {room} was closed: moving to #ops");
        await Expect(row).ToHaveCountAsync(0);
        await Expect(page.Locator("#rooms-status")).ToHaveTextAsync($"Closed #{room}.");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"api/rooms/{room}")).StatusCode);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_admin_page_adds_a_bridge_shows_it_up_and_removes_it_and_the_chat_page_badges_its_member()
    {
        var room = GatewayFixture.Unique("brg");
        var nick = GatewayFixture.Unique("svc");
        await using var service = FramedService.Start();
        var port = service.Port;
        await using var context = await fixture.Browser.NewContextAsync(new() { BaseURL = Host.HttpUri.ToString() });
        context.SetDefaultTimeout((float)Timeouts.Step.TotalMilliseconds);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync("/admin.html");
        await page.GetByLabel("API key", new() { Exact = true }).FillAsync(BrowserFixture.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use key" }).ClickAsync();

        await page.GetByLabel("Bridged room").FillAsync(room);
        await page.GetByLabel("Speaks as").FillAsync(nick);
        await page.GetByLabel("Host").FillAsync("127.0.0.1");
        await page.GetByLabel("Port").FillAsync(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Framing").SelectOptionAsync("crlf");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add bridge" }).ClickAsync();
        await Expect(page.Locator("#bridge-form-status")).ToHaveTextAsync($"Added: #{room} ↔ 127.0.0.1:{port} as {nick}.");
        await using var connection = await service.AcceptAsync("crlf");
        var row = page.Locator("#bridges-body tr").Filter(new() { HasText = $"#{room}" });
        await Expect(row.Locator(".state")).ToHaveTextAsync("Up");
        await Expect(row).ToContainTextAsync("crlf");

        // A browser in the bridged room sees the bridge as a member with its badge, and talks to the service.
        await using var chat = await fixture.OpenChatAsync();
        await chat.JoinAsync(room);
        await Expect(chat.Page.Locator($"#members li[data-nick=\"{nick}\"] .via-bridge")).ToHaveTextAsync("bridge");
        await connection.SendAsync("hello from the service");
        await chat.ExpectMessageAsync("hello from the service");
        await chat.SubmitAsync("hello service");
        Assert.Equal("hello service", await connection.ReadAsync());

        // The page keeps the list fresh on its own: the service going away shows as down with its error.
        await connection.DisposeAsync();
        await service.DisposeAsync();
        await Expect(row.Locator(".state")).ToHaveTextAsync("Down", new() { Timeout = 15_000 });
        await Expect(row.Locator(".bridge-error")).ToBeVisibleAsync();

        await row.GetByRole(AriaRole.Button, new() { Name = $"Remove the bridge of #{room} to 127.0.0.1:{port}" }).ClickAsync();
        await Expect(page.Locator("#bridges-status")).ToHaveTextAsync($"Removed the bridge of #{room} to 127.0.0.1:{port}.");
        await Expect(row).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }
}
