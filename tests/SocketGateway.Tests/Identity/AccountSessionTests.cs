using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Identity;

/// <summary>
/// Contract, "Identity and access": signing in at the hub's connect, <c>account</c> on members, users, messages and
/// history, a gateway without guests, and an account's reserved nick shared by its sessions.
/// </summary>
public sealed class AccountSessionTests
{
    private static Dictionary<string, string?> Hs256Settings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Gateway:Auth:SigningKey"] = TestTokens.SigningKey };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task A_browser_connecting_with_access_token_is_its_account_everywhere_and_history_keeps_the_account_after_a_restart()
    {
        var settings = Hs256Settings(("ConnectionStrings:Gateway", GatewayHost.NewDatabase(out var path)));
        try
        {
            await using (var host = await GatewayHost.StartAsync(settings))
            {
                var tcp = await host.ConnectTcpAsync("tom");
                var web = await host.ConnectHubAsync(token: TestTokens.Hs256("u-7", name: "alice"));
                Assert.Equal("alice", web.Nick);
                await tcp.ReadUntilAsync("[lobby] -> alice joined (web)");

                var sent = await web.InvokeAsync<JsonElement>("Send", "lobby", "hi from alice");
                Assert.Equal("u-7", sent.GetProperty("account").GetString());
                await tcp.SendAsync("/format json");
                await tcp.SendAsync("hi from tom");
                var toms = await tcp.ReadJsonAsync("message", m => m.GetProperty("from").GetString() == "tom");
                Assert.Equal(JsonValueKind.Null, toms.GetProperty("account").ValueKind);

                using var http = host.CreateHttpClient();
                var members = await http.GetFromJsonAsync<JsonElement>("api/rooms/lobby/members");
                Assert.Contains(members.EnumerateArray(), m => m.GetProperty("nick").GetString() == "alice" && m.GetProperty("account").GetString() == "u-7");
                Assert.Contains(members.EnumerateArray(), m => m.GetProperty("nick").GetString() == "tom" && m.GetProperty("account").ValueKind == JsonValueKind.Null);
                var users = await http.GetFromJsonAsync<JsonElement>("api/users");
                Assert.Contains(users.EnumerateArray(), u => u.GetProperty("nick").GetString() == "alice" && u.GetProperty("account").GetString() == "u-7");
                var history = await web.InvokeAsync<JsonElement>("History", "lobby", 10);
                await WaitForCommitAsync(http, "hi from tom");
                Assert.Contains(history.EnumerateArray(), m => m.GetProperty("text").GetString() == "hi from alice" && m.GetProperty("account").GetString() == "u-7");
            }

            await using var restarted = await GatewayHost.StartAsync(settings);
            using var again = restarted.CreateHttpClient();
            var kept = await again.GetFromJsonAsync<JsonElement>("api/rooms/lobby/messages?limit=10");
            Assert.Equal("u-7", kept.EnumerateArray().Single(m => m.GetProperty("text").GetString() == "hi from alice").GetProperty("account").GetString());
            Assert.Equal(JsonValueKind.Null, kept.EnumerateArray().Single(m => m.GetProperty("text").GetString() == "hi from tom").GetProperty("account").ValueKind);
        }
        finally
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    // A REST post waits for its commit: once one posted after them is stored, the messages before it are too.
    private static async Task WaitForCommitAsync(HttpClient http, string after)
    {
        var posted = await http.PostAsJsonAsync("api/rooms/lobby/messages", new { from = "marker", text = "after " + after });
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
    }

    [Fact]
    public async Task A_bad_token_at_the_hubs_connect_is_401_before_the_hub_from_the_query_string_and_the_bearer_header()
    {
        await using var host = await GatewayHost.StartAsync(Hs256Settings());
        var expired = TestTokens.Hs256("u-1", expires: DateTime.UtcNow.AddMinutes(-5));

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => host.ConnectHubAsync(token: expired));
        Assert.Contains("401", refused.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, host.Chat.Nicks.Count);

        using var http = host.CreateHttpClient();
        var negotiate = await http.PostAsync($"hubs/chat/negotiate?negotiateVersion=1&access_token={expired}", null);
        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        Assert.Equal("application/problem+json", negotiate.Content.Headers.ContentType?.MediaType);
        var problem = await negotiate.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unauthorized", problem.GetProperty("code").GetString());
        Assert.Contains("expired", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var bearer = new HttpRequestMessage(HttpMethod.Post, "hubs/chat/negotiate?negotiateVersion=1");
        bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not.a.token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(bearer)).StatusCode);

        using var good = new HttpRequestMessage(HttpMethod.Post, "hubs/chat/negotiate?negotiateVersion=1");
        good.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestTokens.Hs256("u-1"));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(good)).StatusCode);

        var guest = await host.ConnectHubAsync();
        Assert.StartsWith("guest-", guest.Nick, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_guests_a_line_user_can_only_sign_in_ping_ask_for_help_or_quit_and_is_no_member_until_it_signs_in()
    {
        await using var host = await GatewayHost.StartAsync(Hs256Settings(("Gateway:Auth:AllowGuests", "false")));
        var alice = await host.ConnectTcpAsync();
        await alice.ReadWelcomeAsync();
        await alice.SendAsync("/auth " + TestTokens.Hs256("u-1", name: "alice"));
        await alice.ReadUntilAsync("* signed in as alice (account u-1)");

        var stranger = await host.ConnectTcpAsync();
        await stranger.ReadWelcomeAsync();
        foreach (var line in new[] { "hello?", "/join dev", "/nick bob", "/msg alice hi", "/rooms", "/who", "/history" })
        {
            await stranger.SendAsync(line);
            Assert.StartsWith("! unauthorized: ", await stranger.ReadUntilAsync(l => l.StartsWith("! ", StringComparison.Ordinal)));
        }

        await stranger.SendAsync("/help");
        await stranger.ReadUntilAsync(l => l.StartsWith("* /auth TOKEN", StringComparison.Ordinal));
        using var http = host.CreateHttpClient();
        var members = await http.GetFromJsonAsync<JsonElement>("api/rooms/lobby/members");
        Assert.Equal(["alice"], members.EnumerateArray().Select(m => m.GetProperty("nick").GetString()));
        Assert.DoesNotContain((await http.GetFromJsonAsync<JsonElement>("api/users")).EnumerateArray(), u => u.GetProperty("nick").GetString() == stranger.Nick);

        // Nothing reaches it: alice's message and a private message to its guest nick.
        await alice.SendAsync("only for members");
        await alice.ReadUntilAsync("[lobby] alice: only for members");
        await alice.SendAsync($"/msg {stranger.Nick} psst");
        Assert.StartsWith("! no_such_user", await alice.ReadUntilAsync(l => l.StartsWith("! ", StringComparison.Ordinal)));
        Assert.DoesNotContain((await stranger.SyncAsync()), l => l.Contains("only for members", StringComparison.Ordinal) || l.Contains("psst", StringComparison.Ordinal));

        await stranger.SendAsync("/auth " + TestTokens.Hs256("u-2", name: "bob"));
        await stranger.ReadUntilAsync("* signed in as bob (account u-2)");
        await alice.ReadUntilAsync("[lobby] -> bob joined (tcp)");
        await stranger.SendAsync("now I can talk");
        await alice.ReadUntilAsync("[lobby] bob: now I can talk");

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => host.ConnectHubAsync());
        Assert.Contains("401", refused.ToString(), StringComparison.Ordinal);
        var web = await host.ConnectHubAsync(token: TestTokens.Hs256("u-3", name: "carol"));
        Assert.Equal("carol", web.Nick);
    }

    [Fact]
    public void A_gateway_without_guests_and_without_a_key_does_not_start()
    {
        var error = Assert.ThrowsAny<Exception>(() => SocketGateway.GatewayApp.Build(["--Gateway:Auth:AllowGuests=false"]));
        Assert.Contains("AllowGuests=false needs", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_accounts_nick_is_kept_from_guests_and_other_accounts_and_its_two_sessions_are_one_nick()
    {
        await using var host = await GatewayHost.StartAsync(Hs256Settings());
        var aliceToken = TestTokens.Hs256("u-1", name: "alice");
        var tcp = await host.ConnectTcpAsync();
        await tcp.ReadWelcomeAsync();
        await tcp.SendAsync("/auth " + aliceToken);
        await tcp.ReadUntilAsync("* signed in as alice (account u-1)");

        // While it is connected: not a guest, not another account with the same name.
        var guest = await host.ConnectTcpAsync();
        await guest.ReadWelcomeAsync();
        await guest.SendAsync("/nick Alice");
        Assert.StartsWith("! nick_taken: ", await guest.ReadUntilAsync(l => l.StartsWith("! ", StringComparison.Ordinal)));
        var impostor = await host.ConnectWebSocketAsync();
        await impostor.ReadWelcomeAsync();
        await impostor.SendAsync("/auth " + TestTokens.Hs256("u-666", name: "alice"));
        var signedIn = await impostor.ReadUntilAsync(l => l.StartsWith("* signed in as ", StringComparison.Ordinal));
        Assert.Matches(@"^\* signed in as user-[0-9a-f]{8} \(account u-666\)$", signedIn);

        // The same account from a browser too: one nick, two members, a message from either is from alice.
        var web = await host.ConnectHubAsync(token: aliceToken);
        Assert.Equal("alice", web.Nick);
        await guest.SendAsync("/who");
        var who = await guest.ReadUntilAsync(l => l.StartsWith("* members of lobby: ", StringComparison.Ordinal));
        Assert.Contains("alice (tcp)", who, StringComparison.Ordinal);
        Assert.Contains("alice (web)", who, StringComparison.Ordinal);
        await web.InvokeAsync<JsonElement>("Send", "lobby", "from the browser");
        await guest.ReadUntilAsync("[lobby] alice: from the browser");
        await tcp.ReadUntilAsync("[lobby] alice: from the browser");
        await tcp.SendAsync("from nc");
        await guest.ReadUntilAsync("[lobby] alice: from nc");
        await web.NextAsync("message", m => m.GetProperty("text").GetString() == "from nc" && m.GetProperty("from").GetString() == "alice");

        // A private message to alice reaches both sessions; a signed-in session keeps its account's nick.
        await guest.SendAsync("/msg alice for both");
        await tcp.ReadUntilAsync(l => l.StartsWith("[pm] ", StringComparison.Ordinal) && l.EndsWith(": for both", StringComparison.Ordinal));
        await web.NextAsync("private", p => p.GetProperty("text").GetString() == "for both");
        await tcp.SendAsync("/nick notalice");
        Assert.StartsWith("! forbidden: ", await tcp.ReadUntilAsync(l => l.StartsWith("! ", StringComparison.Ordinal)));

        // One session leaving keeps the nick; with both gone a guest still may not take it, ever.
        await web.DisposeAsync();
        await guest.SendAsync("/nick alice");
        Assert.StartsWith("! nick_taken: ", await guest.ReadUntilAsync(l => l.StartsWith("! ", StringComparison.Ordinal)));
        await tcp.SendAsync("/quit");
        await guest.ReadUntilAsync("[lobby] <- alice left (quit)");
        await guest.SendAsync("/nick alice");
        Assert.StartsWith("! nick_taken: ", await guest.ReadUntilAsync(l => l.StartsWith("! ", StringComparison.Ordinal)));
        using var http = host.CreateHttpClient();
        var posted = await http.PostAsJsonAsync("api/rooms/lobby/messages", new { from = "alice", text = "not really alice" });
        Assert.Equal(HttpStatusCode.Conflict, posted.StatusCode);

        // Another account may have the name once alice's sessions are gone.
        var next = await host.ConnectTcpAsync();
        await next.ReadWelcomeAsync();
        await next.SendAsync("/auth " + TestTokens.Hs256("u-2", name: "alice"));
        await next.ReadUntilAsync("* signed in as alice (account u-2)");
    }

    [Fact]
    public async Task No_token_reaches_a_log_line_at_trace_level_on_any_transport_the_hubs_query_string_included()
    {
        var logs = new CapturingLoggerProvider(LogLevel.Trace);
        await using var host = await GatewayHost.StartAsync(
            Hs256Settings(
                ("Logging:LogLevel:Default", "Trace"),
                ("Logging:LogLevel:Microsoft.AspNetCore", "Trace"),
                // A provider's own rule, which would win over rules for every provider.
                ("Logging:SocketGateway.Tests.Infrastructure.CapturingLoggerProvider:LogLevel:Microsoft", "Trace")),
            logging => logging.AddProvider(logs));
        var tokens = new List<string>();
        string Token(string sub)
        {
            var token = TestTokens.Hs256(sub);
            tokens.Add(token);
            return token;
        }

        var tcp = await host.ConnectTcpAsync();
        await tcp.ReadWelcomeAsync();
        await tcp.SendAsync("/auth " + Token("tcp-user"));
        await tcp.ReadUntilAsync("* signed in as tcp-user (account tcp-user)");
        var ws = await host.ConnectWebSocketAsync();
        await ws.ReadWelcomeAsync();
        await ws.SendAsync("/auth " + Token("ws-user"));
        await ws.ReadUntilAsync("* signed in as ws-user (account ws-user)");
        var web = await host.ConnectHubAsync(token: Token("web-user"));
        await web.InvokeAsync<JsonElement>("Authenticate", Token("web-user"));
        var forged = TestTokens.Hs256("late-user")[..^4] + "AAAA";
        tokens.Add(forged);
        await Assert.ThrowsAnyAsync<Exception>(() => host.ConnectHubAsync(token: forged));
        using var http = host.CreateHttpClient();
        await http.PostAsync($"hubs/chat/negotiate?negotiateVersion=1&access_token={Token("negotiating-user")}", null);
        var metrics = await http.GetStringAsync("metrics");

        Assert.NotEmpty(logs.Entries);
        foreach (var token in tokens)
        {
            var signature = token.Split('.')[^1];
            Assert.False(logs.Entries.Any(e => e.Contains(signature, StringComparison.Ordinal)), "a log line shows a token: " + logs.Entries.FirstOrDefault(e => e.Contains(signature, StringComparison.Ordinal)));
            Assert.DoesNotContain(signature, metrics, StringComparison.Ordinal);
        }
    }
}
