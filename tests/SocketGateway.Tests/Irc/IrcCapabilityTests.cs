using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SocketGateway.Tests.Identity;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;
using static SocketGateway.Tests.Identity.PrivateRoomTests;

namespace SocketGateway.Tests.Irc;

/// <summary>
/// Contract, "IRC clients": what CAP turns on (server-time, message-tags, echo-message, batch + chathistory, sasl),
/// signing in with an account token (SASL PLAIN, PASS), operators, WHOIS and AWAY; on real sockets.
/// </summary>
public sealed class IrcCapabilityTests
{
    private static readonly Dictionary<string, string?> IrcOn = new() { ["Gateway:Irc:Port"] = "0" };

    [Fact]
    public async Task Cap_offers_and_grants_whole_requests_and_tags_carry_the_message_time_and_id_and_echoes_come_back()
    {
        await using var host = await GatewayHost.StartAsync(IrcOn);
        await using var irc = await LineClient.ConnectTcpAsync(host.IrcPort);
        await irc.SendAsync("CAP LS 302");
        var offered = (await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway CAP * LS :", StringComparison.Ordinal)))[":socketgateway CAP * LS :".Length..].Split(' ');
        Assert.Equal(["batch", "chathistory", "draft/chathistory", "echo-message", "message-tags", "server-time"], offered.Order(StringComparer.Ordinal));
        await irc.SendAsync("CAP REQ :server-time away-notify-of-nowhere");
        await irc.ReadUntilAsync(":socketgateway CAP * NAK :server-time away-notify-of-nowhere");
        await irc.SendAsync("CAP REQ :server-time message-tags echo-message");
        await irc.ReadUntilAsync(":socketgateway CAP * ACK :server-time message-tags echo-message");
        await irc.SendAsync("CAP LIST");
        await irc.ReadUntilAsync(":socketgateway CAP * LIST :echo-message message-tags server-time");
        await irc.SendAsync("NICK ircy");
        await irc.SendAsync("USER ircy 0 * :Irc User");
        await irc.SendAsync("CAP END");
        await irc.ReadUntilAsync(l => l.EndsWith(":socketgateway 366 ircy #lobby :End of /NAMES list", StringComparison.Ordinal));

        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.SendAsync("hello tagged world");
        var line = await irc.ReadUntilAsync(l => l.EndsWith(" :tina!tcp@socketgateway PRIVMSG #lobby :hello tagged world", StringComparison.Ordinal));
        var stored = await LastMessageAsync(host, "lobby");
        var tags = Tags(line);
        Assert.Equal(stored.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), tags["msgid"]);
        Assert.Equal(stored.GetProperty("ts").GetDateTimeOffset(), DateTimeOffset.Parse(tags["time"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith("Z", tags["time"], StringComparison.Ordinal);

        // echo-message: the client's own message comes back, with the id it was stored under; a private one too.
        await irc.SendAsync("PRIVMSG #lobby :my own words");
        var echo = await irc.ReadUntilAsync(l => l.EndsWith(" :ircy!irc@socketgateway PRIVMSG #lobby :my own words", StringComparison.Ordinal));
        Assert.Equal((await LastMessageAsync(host, "lobby")).GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), Tags(echo)["msgid"]);
        await irc.SendAsync("PRIVMSG tina :just you");
        await irc.ReadUntilAsync(l => l.StartsWith("@time=", StringComparison.Ordinal) && l.EndsWith(" :ircy!irc@socketgateway PRIVMSG tina :just you", StringComparison.Ordinal));
        await tina.ReadUntilAsync(l => l.Contains("ircy", StringComparison.Ordinal) && l.EndsWith("just you", StringComparison.Ordinal));

        // A join has no time of its own: it is stamped with the server's.
        await using var other = await host.ConnectTcpAsync("otto");
        var nick = await irc.ReadUntilAsync(l => l.EndsWith(" NICK otto", StringComparison.Ordinal));
        Assert.StartsWith("@time=", nick, StringComparison.Ordinal);

        // A long text is split to fit 512 bytes without its tags, each piece with the message's id.
        var longText = new string('x', 1200);
        await tina.SendAsync(longText);
        var pieces = new List<string>();
        await irc.ReadUntilAsync(l =>
        {
            if (l.Contains(" :tina!tcp@socketgateway PRIVMSG #lobby :", StringComparison.Ordinal))
            {
                pieces.Add(l);
            }

            return string.Concat(pieces.Select(p => p[(p.IndexOf("PRIVMSG #lobby :", StringComparison.Ordinal) + 16)..])).Length >= longText.Length;
        });
        Assert.True(pieces.Count >= 3, $"{pieces.Count} pieces");
        Assert.All(pieces, p => Assert.True(Encoding.UTF8.GetByteCount(p[(p.IndexOf(' ', StringComparison.Ordinal) + 1)..]) <= 510));
        Assert.Single(pieces.Select(p => Tags(p)["msgid"]).Distinct());
    }

    [Fact]
    public async Task A_join_replays_history_as_a_chathistory_batch_and_chathistory_pages_like_rest()
    {
        await using var host = await GatewayHost.StartAsync(IrcOn);
        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.JoinAsync("dev");
        for (var i = 1; i <= 5; i++)
        {
            await tina.SendAsync($"m{i}");
        }

        await tina.SyncAsync();
        using var http = host.CreateHttpClient();
        var ids = (await http.GetFromJsonAsync<JsonElement>("api/rooms/dev/messages?limit=10")).EnumerateArray()
            .Select(m => m.GetProperty("id").GetInt64()).Order().ToArray();
        Assert.Equal(5, ids.Length);

        await using var irc = await LineClient.ConnectTcpAsync(host.IrcPort);
        await irc.SendAsync("CAP REQ :batch server-time message-tags draft/chathistory");
        await irc.ReadUntilAsync(":socketgateway CAP * ACK :batch server-time message-tags draft/chathistory");
        await irc.SendAsync("NICK ircy");
        await irc.SendAsync("USER ircy 0 * :Irc User");
        await irc.SendAsync("CAP END");
        var isupport = await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 005 ircy ", StringComparison.Ordinal));
        Assert.Contains("CHATHISTORY=100", isupport, StringComparison.Ordinal);
        await irc.ReadUntilAsync(l => l.EndsWith("366 ircy #lobby :End of /NAMES list", StringComparison.Ordinal));
        await irc.SendAsync("JOIN #dev");
        await irc.ReadUntilAsync(l => l.EndsWith(":ircy!irc@socketgateway JOIN #dev", StringComparison.Ordinal));
        var batch = await ReadBatchAsync(irc, "#dev");
        Assert.Equal(["m1", "m2", "m3", "m4", "m5"], batch.Select(Text));
        Assert.Equal(ids, batch.Select(l => long.Parse(Tags(l)["msgid"], System.Globalization.CultureInfo.InvariantCulture)));

        await irc.SendAsync("CHATHISTORY LATEST #dev * 2");
        Assert.Equal(["m4", "m5"], (await ReadBatchAsync(irc, "#dev")).Select(Text));
        await irc.SendAsync($"CHATHISTORY BEFORE #dev msgid={ids[2]} 10");
        Assert.Equal(["m1", "m2"], (await ReadBatchAsync(irc, "#dev")).Select(Text));
        await irc.SendAsync($"CHATHISTORY AFTER #dev msgid={ids[2]} 1");
        Assert.Equal(["m4"], (await ReadBatchAsync(irc, "#dev")).Select(Text));
        await irc.SendAsync($"CHATHISTORY LATEST #dev msgid={ids[3]} 50");
        Assert.Equal(["m5"], (await ReadBatchAsync(irc, "#dev")).Select(Text));
        await irc.SendAsync("CHATHISTORY LATEST #dev timestamp=2026-01-01T00:00:00.000Z 5");
        await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway FAIL CHATHISTORY INVALID_PARAMS LATEST :", StringComparison.Ordinal));
        await irc.SendAsync("CHATHISTORY LATEST #nowhere * 5");
        await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway FAIL CHATHISTORY INVALID_TARGET LATEST :", StringComparison.Ordinal));
        await irc.SendAsync("CHATHISTORY LATEST #dev");
        await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway FAIL CHATHISTORY NEED_MORE_PARAMS LATEST :", StringComparison.Ordinal));

        // Without batch (plain RFC 1459) a join shows no history.
        await using var plain = await IrcListenerTests.RegisterAsync(host, "plain");
        await plain.SendAsync("JOIN #dev");
        await plain.ReadUntilAsync(":socketgateway 366 plain #dev :End of /NAMES list");
        await plain.SendAsync("PING :sync");
        var seen = new List<string>();
        await plain.ReadUntilAsync(l =>
        {
            seen.Add(l);
            return l == ":socketgateway PONG socketgateway :sync";
        });
        Assert.DoesNotContain(seen, l => l.Contains("PRIVMSG #dev", StringComparison.Ordinal) || l.Contains("BATCH", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sasl_plain_and_pass_sign_in_with_an_account_token_and_bad_ones_are_refused()
    {
        var settings = new Dictionary<string, string?>(Settings()) { ["Gateway:Irc:Port"] = "0" };
        await using var host = await GatewayHost.StartAsync(settings);

        await using var irc = await LineClient.ConnectTcpAsync(host.IrcPort);
        await irc.SendAsync("CAP LS 302");
        Assert.Contains("sasl=PLAIN", await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway CAP * LS :", StringComparison.Ordinal)), StringComparison.Ordinal);
        await irc.SendAsync("CAP REQ sasl");
        await irc.ReadUntilAsync(":socketgateway CAP * ACK :sasl");
        await irc.SendAsync("NICK wanted");
        await irc.SendAsync("USER wanted 0 * :Wanted");
        await irc.SendAsync("AUTHENTICATE EXTERNAL");
        await irc.ReadUntilAsync(":socketgateway 908 * PLAIN :are available SASL mechanisms");
        await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 904 * ", StringComparison.Ordinal));
        await irc.SendAsync("AUTHENTICATE PLAIN");
        await irc.ReadUntilAsync("AUTHENTICATE +");
        await irc.SendAsync("AUTHENTICATE " + Plain(TestTokens.Hs256("u-ann", name: "ann", key: "another signing key of at least thirty-two bytes")));
        await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 904 * ", StringComparison.Ordinal));
        await irc.SendAsync("AUTHENTICATE PLAIN");
        await irc.ReadUntilAsync("AUTHENTICATE +");
        // A long token comes in 400-byte pieces.
        var encoded = Plain(TestTokens.Hs256("u-ann", name: "ann"));
        foreach (var piece in encoded.Chunk(400))
        {
            await irc.SendAsync("AUTHENTICATE " + new string(piece));
        }

        if (encoded.Length % 400 == 0)
        {
            await irc.SendAsync("AUTHENTICATE +");
        }

        await irc.ReadUntilAsync(":socketgateway 900 * *!irc@socketgateway u-ann :You are now logged in as u-ann");
        await irc.ReadUntilAsync(":socketgateway 903 * :SASL authentication successful");
        await irc.SendAsync("CAP END");
        // The account's nick, as on every transport, whatever NICK asked for.
        await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 001 ann ", StringComparison.Ordinal));
        await irc.ReadUntilAsync(":socketgateway 366 ann #lobby :End of /NAMES list");
        await irc.SendAsync("WHOIS ann");
        await irc.ReadUntilAsync(":socketgateway 311 ann ann irc socketgateway * :ann");
        await irc.ReadUntilAsync(":socketgateway 330 ann ann u-ann :is logged in as");
        await irc.ReadUntilAsync(":socketgateway 318 ann ann :End of /WHOIS list");
        using var http = host.CreateHttpClient();
        var users = await http.GetFromJsonAsync<JsonElement>("api/users");
        Assert.Contains(users.EnumerateArray(), u => u.GetProperty("nick").GetString() == "ann" && u.GetProperty("account").GetString() == "u-ann");

        // PASS with a token signs in too; a wrong one is 464 and the link closes.
        await using var passed = await LineClient.ConnectTcpAsync(host.IrcPort);
        await passed.SendAsync("PASS " + TestTokens.Hs256("u-bea", name: "bea"));
        await passed.SendAsync("NICK whatever");
        await passed.SendAsync("USER whatever 0 * :W");
        await passed.ReadUntilAsync(":socketgateway 366 bea #lobby :End of /NAMES list");
        await using var wrong = await LineClient.ConnectTcpAsync(host.IrcPort);
        await wrong.SendAsync("PASS not-a-token");
        await wrong.SendAsync("NICK whatever");
        await wrong.SendAsync("USER whatever 0 * :W");
        await wrong.ReadUntilAsync(l => l.StartsWith(":socketgateway 464 * :", StringComparison.Ordinal));
        await wrong.ReadUntilAsync("ERROR :Closing link");
        await wrong.AssertClosedAsync();
    }

    [Fact]
    public async Task Without_guests_an_unsigned_client_is_told_to_sign_in_and_the_link_closes()
    {
        var settings = new Dictionary<string, string?>(Settings()) { ["Gateway:Irc:Port"] = "0", ["Gateway:Auth:AllowGuests"] = "false" };
        await using var host = await GatewayHost.StartAsync(settings);
        await using var irc = await LineClient.ConnectTcpAsync(host.IrcPort);
        await irc.SendAsync("NICK guesty");
        await irc.SendAsync("USER guesty 0 * :G");
        Assert.Contains("SASL", await irc.ReadUntilAsync(l => l.StartsWith(":socketgateway 464 * :", StringComparison.Ordinal)), StringComparison.Ordinal);
        await irc.AssertClosedAsync();
    }

    [Fact]
    public async Task Operators_carry_at_in_names_and_who_grant_with_mode_and_whois_and_away_answer()
    {
        var settings = new Dictionary<string, string?>(Settings()) { ["Gateway:Irc:Port"] = "0" };
        await using var host = await GatewayHost.StartAsync(settings);
        using var admin = Admin(host);
        await using var olga = await SignedInIrcAsync(host, TestTokens.Hs256("u-op", name: "olga"), "olga");
        await olga.SendAsync("JOIN #ops");
        await olga.ReadUntilAsync(":socketgateway 366 olga #ops :End of /NAMES list");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync("api/rooms/ops/operators/u-op", null)).StatusCode);
        await using var bob = await SignedInIrcAsync(host, TestTokens.Hs256("u-bob", name: "bob"), "bob");
        await bob.SendAsync("JOIN #ops");
        var names = await bob.ReadUntilAsync(l => l.StartsWith(":socketgateway 353 bob = #ops :", StringComparison.Ordinal));
        Assert.Equal(["@olga", "bob"], names.Split(':')[2].Split(' ').Order(StringComparer.Ordinal));

        // bob is no operator: his MODE +o is refused; olga's makes him one, and NAMES and WHO show it.
        await bob.SendAsync("MODE #ops +o bob");
        await bob.ReadUntilAsync(l => l.StartsWith(":socketgateway 482 bob ", StringComparison.Ordinal));
        await olga.SendAsync("MODE #ops +o bob");
        await olga.ReadUntilAsync(":olga!irc@socketgateway MODE #ops +o bob");
        var operators = await admin.GetFromJsonAsync<JsonElement>("api/rooms/ops/operators");
        Assert.Contains(operators.EnumerateArray(), o => o.GetString() == "u-bob");
        await bob.SendAsync("WHO #ops");
        await bob.ReadUntilAsync(":socketgateway 352 bob #ops irc socketgateway socketgateway bob H@ :0 bob");
        await bob.SendAsync("MODE #ops -o bob");
        await bob.ReadUntilAsync(":bob!irc@socketgateway MODE #ops -o bob");
        await bob.SendAsync("NAMES #ops");
        names = await bob.ReadUntilAsync(l => l.StartsWith(":socketgateway 353 bob = #ops :", StringComparison.Ordinal));
        Assert.Equal(["@olga", "bob"], names.Split(':')[2].Split(' ').Order(StringComparer.Ordinal));
        await bob.SendAsync("MODE #ops b");
        await bob.ReadUntilAsync(":socketgateway 368 bob #ops :End of channel ban list");

        // AWAY: 306, then 301 to whoever messages or looks up the user, G in WHO; 305 when back.
        await bob.SendAsync("AWAY :out for lunch");
        await bob.ReadUntilAsync(":socketgateway 306 bob :You have been marked as being away");
        await olga.SendAsync("PRIVMSG bob :are you there?");
        await olga.ReadUntilAsync(":socketgateway 301 olga bob :out for lunch");
        await olga.SendAsync("WHOIS bob");
        await olga.ReadUntilAsync(":socketgateway 319 olga bob :#lobby #ops");
        await olga.ReadUntilAsync(":socketgateway 301 olga bob :out for lunch");
        await olga.ReadUntilAsync(":socketgateway 318 olga bob :End of /WHOIS list");
        await olga.SendAsync("WHO #ops");
        await olga.ReadUntilAsync(":socketgateway 352 olga #ops irc socketgateway socketgateway bob G :0 bob");
        await bob.SendAsync("AWAY");
        await bob.ReadUntilAsync(":socketgateway 305 bob :You are no longer marked as being away");
        await olga.SendAsync("WHOIS nobody-here");
        await olga.ReadUntilAsync(":socketgateway 401 olga nobody-here :No such nick/channel");
        await olga.ReadUntilAsync(":socketgateway 318 olga nobody-here :End of /WHOIS list");
    }

    private static async Task<LineClient> SignedInIrcAsync(GatewayHost host, string token, string nick)
    {
        var irc = await LineClient.ConnectTcpAsync(host.IrcPort);
        await irc.SendAsync("PASS " + token);
        await irc.SendAsync($"NICK {nick}");
        await irc.SendAsync($"USER {nick} 0 * :{nick}");
        await irc.ReadUntilAsync($":socketgateway 366 {nick} #lobby :End of /NAMES list");
        return irc;
    }

    /// <summary>The PRIVMSG lines of the next chathistory batch for <paramref name="channel"/>, each tagged with the batch.</summary>
    private static async Task<List<string>> ReadBatchAsync(LineClient irc, string channel)
    {
        var start = await irc.ReadUntilAsync(l => l.Contains(" BATCH +", StringComparison.Ordinal) && l.EndsWith($" chathistory {channel}", StringComparison.Ordinal));
        var reference = start.Split(' ')[2][1..];
        var lines = new List<string>();
        while (await irc.ReadLineAsync() is { } line && line != $":socketgateway BATCH -{reference}")
        {
            Assert.Equal(reference, Tags(line)["batch"]);
            lines.Add(line);
        }

        return lines;
    }

    private static string Text(string line) => line[(line.IndexOf(" :", line.IndexOf(" PRIVMSG ", StringComparison.Ordinal), StringComparison.Ordinal) + 2)..];

    private static Dictionary<string, string> Tags(string line)
    {
        Assert.StartsWith("@", line, StringComparison.Ordinal);
        return line[1..line.IndexOf(' ', StringComparison.Ordinal)].Split(';').Select(t => t.Split('=', 2)).ToDictionary(t => t[0], t => t.Length > 1 ? t[1] : "");
    }

    private static async Task<JsonElement> LastMessageAsync(GatewayHost host, string room)
    {
        using var http = host.CreateHttpClient();
        return (await http.GetFromJsonAsync<JsonElement>($"api/rooms/{room}/messages?limit=1"))[0];
    }

    private static string Plain(string token) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0irc-user\0{token}"));
}
