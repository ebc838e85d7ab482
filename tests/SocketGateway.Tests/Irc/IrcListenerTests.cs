using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Irc;

/// <summary>An IRC client over a real socket on the gateway's IRC listener, next to TCP and SignalR users in the same rooms.</summary>
public sealed class IrcListenerTests
{
    private static readonly Dictionary<string, string?> IrcOn = new() { ["Gateway:Irc:Port"] = "0" };

    [Fact]
    public async Task An_irc_client_registers_with_cap_lands_in_the_lobby_and_talks_with_tcp_and_hub_users_both_ways()
    {
        await using var host = await GatewayHost.StartAsync(IrcOn);
        await using var irc = await LineClient.ConnectTcpAsync(host.IrcPort);
        await irc.SendAsync("CAP LS 302");
        await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway CAP * LS", StringComparison.Ordinal));
        await irc.SendAsync("NICK ircy");
        await irc.SendAsync("USER ircy 0 * :Irc User");
        await irc.SendAsync("CAP END");
        await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 001 ircy ", StringComparison.Ordinal));
        var isupport = await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 005 ircy ", StringComparison.Ordinal));
        Assert.Contains("CASEMAPPING=ascii", isupport, StringComparison.Ordinal);
        Assert.Contains("CHANTYPES=#", isupport, StringComparison.Ordinal);
        await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 422 ircy ", StringComparison.Ordinal));
        await irc.ReadUntilAsync(":ircy!irc@socketgateway JOIN #lobby");
        var names = await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 353 ircy = #lobby :", StringComparison.Ordinal));
        Assert.Contains("ircy", names.Split(':')[2].Split(' '));
        await irc.ReadUntilAsync(":socketgateway 366 ircy #lobby :End of /NAMES list");

        await using var tina = await host.ConnectTcpAsync("tina");
        await irc.ReadUntilAsync(l => l.Contains(" NICK tina", StringComparison.Ordinal));
        await tina.SendAsync("hello irc");
        await irc.ReadUntilAsync(":tina!tcp@socketgateway PRIVMSG #lobby :hello irc");
        await irc.SendAsync("PRIVMSG #lobby :hi tina");
        await tina.ReadUntilAsync("[lobby] ircy: hi tina");
        await irc.SendAsync("PRIVMSG #lobby :\u0001ACTION waves\u0001");
        await tina.ReadUntilAsync("[lobby] * ircy waves");

        var hub = await host.ConnectHubAsync("webby");
        await irc.ReadUntilAsync(l => l.EndsWith(" NICK webby", StringComparison.Ordinal));
        await hub.InvokeAsync<JsonElement>("Send", "lobby", "from the page");
        await irc.ReadUntilAsync(":webby!web@socketgateway PRIVMSG #lobby :from the page");
        await tina.SendAsync("/msg ircy psst");
        await irc.ReadUntilAsync(":tina!tcp@socketgateway PRIVMSG ircy :psst");

        // Without echo-message the client is not sent its own messages back.
        await irc.SendAsync("PING :sync");
        var seen = new List<string>();
        await irc.ReadUntilAsync(l =>
        {
            seen.Add(l);
            return l == ":socketgateway PONG socketgateway :sync";
        });
        Assert.DoesNotContain(seen, l => l.StartsWith(":ircy!", StringComparison.Ordinal) && l.Contains("PRIVMSG", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Join_part_names_list_topic_and_errors_map_to_irc_commands_and_numerics()
    {
        await using var host = await GatewayHost.StartAsync(IrcOn);
        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.SendAsync("/join dev");
        await tina.ReadUntilAsync("[dev] -> tina joined (tcp)");
        await using var irc = await RegisterAsync(host, "ircy");

        await irc.SendAsync("JOIN #b@d");
        await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 403 ircy #b@d ", StringComparison.Ordinal));
        await irc.SendAsync("JOIN #dev");
        await irc.ReadUntilAsync(":ircy!irc@socketgateway JOIN #dev");
        var names = await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 353 ircy = #dev :", StringComparison.Ordinal));
        Assert.Equal(["ircy", "tina"], names.Split(':')[2].Split(' ').Order(StringComparer.Ordinal));
        await irc.ReadUntilAsync(":socketgateway 366 ircy #dev :End of /NAMES list");
        await tina.ReadUntilAsync("[dev] -> ircy joined (irc)");
        await irc.SendAsync("TOPIC #dev");
        await irc.ReadUntilAsync(":socketgateway 331 ircy #dev :No topic is set");

        await irc.SendAsync("LIST");
        await irc.ReadUntilAsync(":socketgateway 322 ircy #dev 2 :");
        await irc.ReadUntilAsync(":socketgateway 323 ircy :End of /LIST");
        await irc.SendAsync("WHO #dev");
        await irc.ReadUntilAsync(":socketgateway 352 ircy #dev tcp socketgateway socketgateway tina H :0 tina");
        await irc.ReadUntilAsync(":socketgateway 315 ircy #dev :End of /WHO list");
        await irc.SendAsync("MODE #dev");
        await irc.ReadUntilAsync(":socketgateway 324 ircy #dev +nt");

        await tina.SendAsync("/part dev");
        await irc.ReadUntilAsync(":tina!tcp@socketgateway PART #dev");
        await irc.SendAsync("PART #dev");
        await irc.ReadUntilAsync(":ircy!irc@socketgateway PART #dev");
        await irc.SendAsync("PRIVMSG #dev :anyone?");
        await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 442 ircy #dev ", StringComparison.Ordinal));
        await irc.SendAsync("PRIVMSG nobody :hello?");
        await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 401 ircy nobody ", StringComparison.Ordinal));
        await irc.SendAsync("FROB");
        await irc.ReadUntilAsync(":socketgateway 421 ircy FROB :Unknown command");
        await irc.SendAsync("JOIN #x1,#x2");
        await irc.ReadUntilAsync(":socketgateway 366 ircy #x2 :End of /NAMES list");
        await irc.SendAsync("JOIN 0");
        await irc.ReadUntilAsync(":ircy!irc@socketgateway PART #x1");
        await irc.ReadUntilAsync(":ircy!irc@socketgateway PART #x2");
        await irc.SendAsync("JOIN #lobby");
        await irc.ReadUntilAsync(":socketgateway 366 ircy #lobby :End of /NAMES list");

        await using var second = await LineClient.ConnectTcpAsync(host.IrcPort);
        await second.SendAsync("NICK tina");
        await second.SendAsync("USER t 0 * :T");
        await second.ReadUntilAsync(l => l.StartsWith(":socketgateway 433 * tina ", StringComparison.Ordinal));
        await second.SendAsync("NICK tino");
        await second.ReadUntilAsync(l => l.StartsWith(":socketgateway 001 tino ", StringComparison.Ordinal));

        await irc.SendAsync("QUIT :bye now");
        await irc.ReadUntilAsync("ERROR :Closing link");
        await irc.Closed.WaitAsync(Timeouts.Step);
        await tina.ReadUntilAsync("[lobby] <- ircy left (quit: bye now)");
        await second.ReadUntilAsync(":ircy!irc@socketgateway QUIT :Quit: bye now");
    }

    [Fact]
    public async Task A_client_that_never_got_a_free_nick_leaves_no_guest_behind()
    {
        await using var host = await GatewayHost.StartAsync(IrcOn);
        await using var tina = await host.ConnectTcpAsync("tina");
        var irc = await LineClient.ConnectTcpAsync(host.IrcPort);
        await irc.SendAsync("NICK tina");
        await irc.SendAsync("USER t 0 * :T");
        await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 433 * tina ", StringComparison.Ordinal));
        var joined = await tina.ReadUntilAsync(l => l.EndsWith(" joined (irc)", StringComparison.Ordinal));
        var guest = joined["[lobby] -> ".Length..^" joined (irc)".Length];
        await irc.DisposeAsync();
        await tina.ReadUntilAsync($"[lobby] <- {guest} left (disconnected)");
    }

    [Fact]
    public async Task The_listener_is_off_unless_configured()
    {
        await using var host = await GatewayHost.StartAsync();
        Assert.Equal(0, host.IrcPort);
    }

    /// <summary>An IRC client registered as <paramref name="nick"/>, past its welcome and the lobby's names.</summary>
    internal static async Task<LineClient> RegisterAsync(GatewayHost host, string nick)
    {
        var irc = await LineClient.ConnectTcpAsync(host.IrcPort);
        await irc.SendAsync($"NICK {nick}");
        await irc.SendAsync($"USER {nick} 0 * :{nick}");
        await irc.ReadUntilAsync($":socketgateway 366 {nick} #lobby :End of /NAMES list");
        return irc;
    }
}
