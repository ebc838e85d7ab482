using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

/// <summary>Debian's netkit telnet, typed into in a real terminal, talking to a SignalR user.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TelnetClientTests(GatewayFixture fixture)
{
    [Fact]
    public async Task A_telnet_user_s_non_ascii_text_reaches_a_browser_user_intact_after_the_first_mangled_line()
    {
        var room = GatewayFixture.Unique("telnet");
        var nick = GatewayFixture.Unique("tn");
        await using var web = await fixture.Host.ConnectHubAsync();
        await web.InvokeAsync<System.Text.Json.JsonElement>("Join", room);

        await using var terminal = await TmuxTerminal.StartAsync("/usr/bin/telnet", "127.0.0.1", fixture.Host.TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await terminal.WaitForAsync("Connected to 127.0.0.1");
        await terminal.TypeLineAsync($"/nick {nick}");
        await terminal.TypeLineAsync($"/join {room}");
        await web.NextAsync("joined", j => j.GetProperty("nick").GetString() == nick);

        // Before binary mode netkit telnet turns the 0x9C of "✓" into IAC BRK: that line is dropped, with the reason.
        await terminal.TypeLineAsync("héllo ✓");
        await terminal.WaitForAsync("send the line again");

        await terminal.TypeLineAsync("héllo ✓");
        await terminal.TypeLineAsync("привет");
        var first = await web.NextAsync("message", m => m.GetProperty("from").GetString() == nick);
        var second = await web.NextAsync("message", m => m.GetProperty("from").GetString() == nick);
        Assert.Equal("héllo ✓", first.GetProperty("text").GetString());
        Assert.Equal("привет", second.GetProperty("text").GetString());
    }
}
