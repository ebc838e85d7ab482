using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SocketGateway.Core.Limits;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.Irc;

/// <summary>
/// Contract, "IRC clients", limits and hostile input as on the TCP port: server PINGs and the timeout of dead or
/// never-registering clients, the flood budget, the HTTP and telnet probes, and TLS; on real sockets.
/// </summary>
public sealed class IrcLimitsTests
{
    [Fact]
    public async Task A_client_that_answers_pings_stays_and_one_that_stops_is_closed_and_seen_leaving()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Irc:Port"] = "0",
            ["Gateway:Irc:PingSeconds"] = "0.5",
        });
        await using var tina = await host.ConnectTcpAsync("tina");
        await using var irc = await IrcListenerTests.RegisterAsync(host, "ircy");
        await tina.ReadUntilAsync(l => l.EndsWith(" is now known as ircy", StringComparison.Ordinal));

        await irc.ReadUntilAsync("PING :socketgateway");
        await irc.SendAsync("PONG :socketgateway");
        await irc.ReadUntilAsync("PING :socketgateway");
        // Silent now: closed after as long again, and the room sees a dropped user.
        await irc.ReadUntilAsync("ERROR :Closing link (Ping timeout: 1 seconds)");
        await irc.AssertClosedAsync();
        await tina.ReadUntilAsync("[lobby] <- ircy left (disconnected)");
    }

    [Fact]
    public async Task A_connection_that_never_registers_is_closed_and_frees_its_slot()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Irc:Port"] = "0",
            ["Gateway:Irc:RegistrationTimeoutSeconds"] = "0.5",
        });
        var guard = host.App.Services.GetRequiredService<ConnectionGuard>();
        await using var irc = await LineClient.ConnectTcpAsync(host.IrcPort);
        await irc.SendAsync("NICK never");
        await irc.ReadUntilAsync("ERROR :Closing link (Registration timed out)");
        await irc.AssertClosedAsync();
        // The slot is given back when the connection's handler ends, a moment after the close.
        var deadline = DateTime.UtcNow + Timeouts.Step;
        while (guard.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, guard.Count);
    }

    [Fact]
    public async Task Commands_take_the_message_budget_so_a_flood_is_slowed_and_nothing_it_sent_is_lost()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Irc:Port"] = "0",
            ["Gateway:Limits:MessageRate"] = "4",
            ["Gateway:Limits:MessageBurst"] = "2",
        });
        await using var tina = await host.ConnectTcpAsync("tina");
        await using var irc = await IrcListenerTests.RegisterAsync(host, "flood");
        var burst = new StringBuilder();
        for (var i = 0; i < 10; i++)
        {
            burst.Append(FormattableString.Invariant($"PRIVMSG #lobby :flood {i}\r\n"));
        }

        var clock = Stopwatch.StartNew();
        await irc.SendRawAsync(Encoding.UTF8.GetBytes(burst.Append("PING :after\r\n").ToString()));
        await irc.ReadUntilAsync(":socketgateway PONG socketgateway :after");
        // Two from the burst, eight at 4 a second: the PONG cannot come sooner than 2 s after the flood.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"the flood was answered after {clock.Elapsed}");
        for (var i = 0; i < 10; i++)
        {
            await tina.ReadUntilAsync($"[lobby] flood: flood {i}");
        }
    }

    [Fact]
    public async Task An_http_request_is_told_this_is_irc_and_telnet_negotiation_never_reaches_the_rooms()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Irc:Port"] = "0" });
        await using var tina = await host.ConnectTcpAsync("tina");
        await using (var browser = await LineClient.ConnectTcpAsync(host.IrcPort))
        {
            await browser.SendRawAsync("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
            await browser.ReadUntilAsync("ERROR :this port speaks IRC, not HTTP; closing");
            await browser.AssertClosedAsync();
        }

        await using var telnet = await LineClient.ConnectTcpAsync(host.IrcPort);
        // IAC DO ECHO, IAC WILL NAWS with a sub-negotiation, then IRC.
        byte[] negotiation = [255, 253, 1, 255, 250, 31, 0, 80, 0, 24, 255, 240];
        await telnet.SendRawAsync((byte[])[.. negotiation, .. "NICK telly\r\nUSER telly 0 * :t\r\n"u8.ToArray()]);
        await telnet.ReadUntilAsync(l => l.EndsWith(":socketgateway 366 telly #lobby :End of /NAMES list", StringComparison.Ordinal));
        await telnet.SendRawAsync((byte[])[.. "PRIVMSG #lobby :hi "u8.ToArray(), 255, 251, 3, .. "there\r\n"u8.ToArray()]);
        await tina.ReadUntilAsync("[lobby] telly: hi there");

        using var http = host.CreateHttpClient();
        var users = await http.GetFromJsonAsync<JsonElement>("api/users");
        Assert.Equal(["telly", "tina"], users.EnumerateArray().Select(u => u.GetProperty("nick").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_tls_port_serves_irc_with_the_chat_ports_certificate()
    {
        using var certificate = await TestCertificate.CreateAsync();
        var settings = certificate.Settings();
        settings["Gateway:Irc:TlsPort"] = "0";
        await using var host = await GatewayHost.StartAsync(settings);
        Assert.NotEqual(0, host.IrcTlsPort);
        Assert.Equal(0, host.IrcPort);
        await using var tina = await host.ConnectTcpAsync("tina");
        await using var irc = await LineClient.ConnectTlsAsync(host.IrcTlsPort);
        await irc.SendAsync("NICK secure");
        await irc.SendAsync("USER secure 0 * :s");
        await irc.ReadUntilAsync(":socketgateway 366 secure #lobby :End of /NAMES list");
        await irc.SendAsync("PRIVMSG #lobby :over tls");
        await tina.ReadUntilAsync("[lobby] secure: over tls");
    }
}
