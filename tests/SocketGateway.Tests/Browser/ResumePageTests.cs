using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;
using static Microsoft.Playwright.Assertions;

namespace SocketGateway.Tests.Browser;

/// <summary>
/// Contract, "Nothing missed after a drop", in Chromium: the page's socket is cut in the network between it and the
/// gateway (<see cref="CuttableLink"/>) while TCP users talk.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ResumePageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_short_drop_is_bridged_by_stateful_reconnect_and_nobody_sees_the_page_leave_or_join()
    {
        await using var host = await GatewayHost.StartAsync();
        await using var link = new CuttableLink(host.HttpPort);
        var nick = GatewayFixture.Unique("Blip");
        await using var page = await ChatPage.OpenAsync(fixture.Browser, link.Uri, 1280, 800);
        await page.SetNickAsync(nick);
        await using var tcp = await host.ConnectTcpAsync(GatewayFixture.Unique("nc"));

        // Cut and back at once: the page's next socket goes through.
        var heard = new List<string>();
        link.Blip();
        await tcp.SendAsync("said across the blip");
        await page.ExpectMessageAsync("said across the blip");
        await page.SubmitAsync("still the same me");
        await HearAsync(tcp, heard, $"[lobby] {nick}: still the same me");

        heard.AddRange(await tcp.SyncAsync());
        Assert.DoesNotContain(heard, l => l.Contains($"{nick} left", StringComparison.Ordinal) || l.Contains($"{nick} joined", StringComparison.Ordinal));
        await Expect(page.Page.Locator("#messages .notice-ok")).ToHaveCountAsync(0);
        Assert.Equal(0, host.Chat.HeldSessions);
    }

    [Fact]
    public async Task After_a_longer_drop_the_page_resumes_its_session_and_shows_how_many_messages_it_missed_in_each_room()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Hub:StatefulReconnectSeconds"] = "1" });
        await using var link = new CuttableLink(host.HttpPort);
        var room = GatewayFixture.Unique("r");
        var nick = GatewayFixture.Unique("Roamer");
        await using var page = await ChatPage.OpenAsync(fixture.Browser, link.Uri, 1280, 800);
        await page.SetNickAsync(nick);
        await page.JoinAsync(room);
        await using var bob = await host.ConnectTcpAsync(GatewayFixture.Unique("bob"));
        await bob.JoinAsync(room);
        await using var carol = await host.ConnectTcpAsync(GatewayFixture.Unique("carol"));
        await page.SubmitAsync("before the drop");
        await bob.ReadUntilAsync($"[{room}] {nick}: before the drop");

        // Down long enough for SignalR to give the connection up: the gateway holds the session.
        var heard = new List<string>();
        link.Cut();
        await host.WaitUntilHeldAsync(1);
        await bob.SendAsync($"m1 in {room}");
        await bob.SendAsync($"m2 in {room}");
        await carol.SendAsync("m3 in the lobby");
        await bob.SendAsync($"/msg {nick} m4 in private");
        await HearAsync(bob, heard, $"[pm] -> {nick}: m4 in private");

        link.Restore();
        await page.ExpectConnectedAsync();
        await Expect(page.Me).ToHaveTextAsync(nick);
        await Expect(page.Title).ToHaveTextAsync($"#{room}");
        await page.ExpectMessageAsync($"m1 in {room}");
        await page.ExpectMessageAsync($"m2 in {room}");
        await Expect(page.Page.Locator("#messages .notice-ok")).ToContainTextAsync("Reconnected: 2 missed messages.");
        await page.Conversation("room:lobby").ClickAsync();
        await page.ExpectMessageAsync("m3 in the lobby");
        await Expect(page.Page.Locator("#messages .notice-ok")).ToContainTextAsync("Reconnected: 1 missed message.");
        await page.Conversation($"dm:{bob.Nick}").ClickAsync();
        await page.ExpectMessageAsync("m4 in private");
        Assert.Equal(0, host.Chat.HeldSessions);

        // The others saw no leave and no join of the page's user, and it chats on as the same member.
        await page.SubmitAsync("back with everything");
        await HearAsync(bob, heard, $"[pm] {nick}: back with everything");
        await bob.SendAsync($"/who {room}");
        Assert.Contains($"{nick} (web)", await bob.ReadUntilAsync(l => l.StartsWith($"* members of {room}: ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain(heard, l => l.Contains($"{nick} left", StringComparison.Ordinal) || l.Contains($"{nick} joined", StringComparison.Ordinal));
    }

    // Every line on the way to the expected one, for asserting what was not said.
    private static Task<string> HearAsync(LineClient client, List<string> heard, string exact) =>
        client.ReadUntilAsync(line =>
        {
            heard.Add(line);
            return line == exact;
        });
}
