using System.Text.Json;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.Irc;

/// <summary>IRC clients nobody here wrote, next to TCP and SignalR users: the npm package irc-framework, and Debian's irssi in tmux.</summary>
public sealed class IrcRealClientTests
{
    private static readonly Dictionary<string, string?> IrcOn = new() { ["Gateway:Irc:Port"] = "0" };

    [Fact]
    public async Task Irc_framework_registers_with_cap_joins_names_and_talks_both_ways_with_server_time()
    {
        await using var host = await GatewayHost.StartAsync(IrcOn);
        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.JoinAsync("dev");
        await tina.SendAsync("before the library came");
        await using var irc = NodeIrcClient.Start(host.IrcPort, "kiwi");

        var registered = await irc.NextAsync("registered");
        Assert.Equal("kiwi", registered.GetProperty("nick").GetString());
        var caps = registered.GetProperty("caps").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("server-time", caps);
        Assert.Contains("message-tags", caps);
        Assert.Contains("batch", caps);
        await irc.NextAsync("join", e => e.GetProperty("channel").GetString() == "#lobby" && e.GetProperty("nick").GetString() == "kiwi");

        await irc.SendAsync(new { @do = "join", channel = "#dev" });
        await irc.NextAsync("join", e => e.GetProperty("channel").GetString() == "#dev");
        var names = await irc.NextAsync("userlist", e => e.GetProperty("channel").GetString() == "#dev");
        Assert.Equal(["kiwi", "tina"], names.GetProperty("users").EnumerateArray().Select(u => u.GetString()).Order(StringComparer.Ordinal));
        // The join's history came in its chathistory batch, with the time it was said.
        var old = await irc.NextAsync("privmsg", e => e.GetProperty("message").GetString() == "before the library came");
        Assert.Equal("tina", old.GetProperty("nick").GetString());
        Assert.Equal("tcp", old.GetProperty("ident").GetString());

        await tina.SendAsync("hello kiwi");
        var hello = await irc.NextAsync("privmsg", e => e.GetProperty("message").GetString() == "hello kiwi");
        Assert.Equal("#dev", hello.GetProperty("target").GetString());
        var time = DateTimeOffset.FromUnixTimeMilliseconds(hello.GetProperty("time").GetInt64());
        Assert.InRange(time, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.True(hello.GetProperty("tags").TryGetProperty("msgid", out _), hello.ToString());

        await irc.SendAsync(new { @do = "say", target = "#dev", text = "hi tina, from irc-framework" });
        await tina.ReadUntilAsync("[dev] kiwi: hi tina, from irc-framework");
        await irc.SendAsync(new { @do = "action", target = "#dev", text = "waves" });
        await tina.ReadUntilAsync("[dev] * kiwi waves");

        var hub = await host.ConnectHubAsync("webby");
        await hub.InvokeAsync<JsonElement>("Join", "dev");
        await irc.NextAsync("join", e => e.GetProperty("channel").GetString() == "#dev" && e.GetProperty("nick").GetString() == "webby");
        await hub.InvokeAsync<JsonElement>("Send", "dev", "from the page");
        var fromPage = await irc.NextAsync("privmsg", e => e.GetProperty("message").GetString() == "from the page");
        Assert.Equal("web", fromPage.GetProperty("ident").GetString());
        await irc.SendAsync(new { @do = "say", target = "#dev", text = "hello page" });
        await hub.NextAsync("message", m => m.GetProperty("text").GetString() == "hello page" && m.GetProperty("via").GetString() == "irc");

        await irc.SendAsync(new { @do = "quit", text = "bye" });
        await tina.ReadUntilAsync("[dev] <- kiwi left (quit: bye)");
    }

    [Fact]
    public async Task Irssi_in_a_terminal_joins_the_lobby_says_hello_and_sees_a_browser_users_reply()
    {
        await using var host = await GatewayHost.StartAsync(IrcOn);
        var home = Directory.CreateTempSubdirectory("irssi-");
        try
        {
            await using var irssi = await TmuxTerminal.StartAsync("/usr/bin/irssi", "--home", home.FullName, "-c", "127.0.0.1",
                "-p", host.IrcPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", "irssiuser");
            await irssi.WaitForAsync("MOTD File is missing");
            // The lobby the gateway put it in opened a window of its own: look at it, as a person would.
            await irssi.WaitForAsync("Act: 2");
            await irssi.TypeLineAsync("/window goto #lobby");
            await irssi.WaitForAsync("irssiuser [irc@socketgateway] has joined #lobby");
            await irssi.WaitForAsync("[#lobby]");

            var hub = await host.ConnectHubAsync("webby");
            await irssi.WaitForAsync("is now known as webby");
            await irssi.TypeLineAsync("hello from irssi");
            await hub.NextAsync("message", m => m.GetProperty("text").GetString() == "hello from irssi"
                && m.GetProperty("from").GetString() == "irssiuser" && m.GetProperty("via").GetString() == "irc");
            await hub.InvokeAsync<JsonElement>("Send", "lobby", "hi irssi, from the page");
            await irssi.WaitForAsync("hi irssi, from the page");
            var screen = await irssi.WaitForAsync("webby");
            Assert.Contains("irssiuser", screen, StringComparison.Ordinal);
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }
}
