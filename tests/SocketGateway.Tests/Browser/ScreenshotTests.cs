using System.Net.Http.Json;
using Microsoft.Playwright;
using SocketGateway.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SocketGateway.Tests.Browser;

/// <summary>
/// The page at desktop and phone width, on a gateway of its own with a small, realistic conversation. The images go to
/// $SCREENSHOT_DIR when set (docs/ for the README: <c>SCREENSHOT_DIR=$PWD/docs</c>), else to the test output.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_page_fits_a_phone_and_a_desktop()
    {
        var directory = Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        await using var host = await GatewayHost.StartAsync();
        var erin = await SeedAsync(host);

        await using (var desktop = await fixture.OpenChatAsync(host, 1280, 800))
        {
            await desktop.SetNickAsync("dana");
            await desktop.SubmitAsync("Hi everyone, just joined from the browser");
            await desktop.SubmitAsync("Could someone look at my pull request in #dev later?");
            await erin.SendAsync("sure, I'll take it after lunch");
            await desktop.ExpectMessageAsync("after lunch");
            await Expect(desktop.Page.Locator("#members")).ToBeVisibleAsync();
            await desktop.Page.ScreenshotAsync(Shot(directory, "screenshot-desktop.png"));
            Assert.True(await desktop.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= innerWidth"));
        }

        await using var phone = await fixture.OpenChatAsync(host, 375, 740);
        await phone.SetNickAsync("frank");
        await Expect(phone.Page.Locator("#sidebar")).Not.ToBeInViewportAsync();
        await Expect(phone.Composer).ToBeInViewportAsync();
        await phone.ExpectMessageAsync("after lunch");
        Assert.True(await phone.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= innerWidth"));
        await phone.Page.ScreenshotAsync(Shot(directory, "screenshot-mobile.png"));

        // The room list opens over the conversation and closes with Escape.
        await phone.Page.GetByRole(AriaRole.Button, new() { Name = "Open the room list" }).ClickAsync();
        await Expect(phone.Page.Locator("#sidebar")).ToBeInViewportAsync(new() { Ratio = 1 });
        await phone.Page.ScreenshotAsync(Shot(directory, "screenshot-mobile-rooms.png"));
        await phone.Page.Keyboard.PressAsync("Escape");
        await Expect(phone.Page.Locator("#sidebar")).Not.ToBeInViewportAsync();
        Assert.Empty(phone.ConsoleErrors);
    }

    // Transitions finish before the picture is taken (the slide-over panels move for 0.2 s).
    private static PageScreenshotOptions Shot(string directory, string name) =>
        new() { Path = Path.Combine(directory, name), Animations = ScreenshotAnimations.Disabled };

    private static async Task<LineClient> SeedAsync(GatewayHost host)
    {
        using var http = host.CreateHttpClient();
        Succeeded(await http.PatchAsJsonAsync("api/rooms/lobby", new { topic = "General chat: say hi, be kind" }));
        Succeeded(await http.PostAsJsonAsync("api/rooms", new { name = "dev", topic = "Building SocketGateway" }));
        Succeeded(await http.PostAsJsonAsync("api/rooms", new { name = "random", topic = "Off-topic, music, links" }));
        Succeeded(await http.PostAsJsonAsync("api/rooms", new { name = "ops" }));

        var alice = await host.ConnectTcpAsync("alice");
        var bob = await host.ConnectTcpAsync("bob_nc");
        var erin = await host.ConnectWebSocketAsync("erin");
        await erin.SendAsync("/join dev");
        await erin.SendAsync("/join lobby");
        await alice.SendAsync("/join random");
        await alice.SendAsync("/join lobby");
        await SayAsync(alice, "morning all! anyone tried the new gateway build?");
        await SayAsync(bob, "yep, connected straight from nc and it just works");
        await SayAsync(bob, "latency feels instant from here");
        await alice.SendAsync("/me pours a coffee");
        await alice.ReadUntilAsync("[lobby] * alice pours a coffee");
        Succeeded(await http.PostAsJsonAsync("api/rooms/lobby/messages", new { from = "deploybot", text = "Deployed v1.4.2 to production (build #812)." }));
        await SayAsync(erin, "nice. the web page shows who is on tcp, ws or the browser, which is handy");
        return erin;
    }

    // A seed that silently failed would photograph a different page than the one described.
    private static void Succeeded(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}");
        }
    }

    // One at a time, so that the conversation reads in order.
    private static async Task SayAsync(LineClient client, string text)
    {
        await client.SendAsync(text);
        await client.ReadUntilAsync($"[lobby] {client.Nick}: {text}");
    }
}
