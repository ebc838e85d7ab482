using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using SocketGateway.Core;
using SocketGateway.Identity;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.Identity;

/// <summary>Contract, "Identity and access": <c>/auth TOKEN</c> on the line transports, with the website's JWTs.</summary>
public sealed class TokenSignInTests
{
    private static Dictionary<string, string?> Hs256Settings() => new() { ["Gateway:Auth:SigningKey"] = TestTokens.SigningKey };

    [Fact]
    public async Task A_valid_token_signs_a_tcp_user_in_under_the_accounts_nick_and_a_ws_user_gets_the_json_form()
    {
        await using var host = await GatewayHost.StartAsync(Hs256Settings());
        var tcp = await host.ConnectTcpAsync();
        await tcp.ReadWelcomeAsync();
        await tcp.SendAsync("/auth " + TestTokens.Hs256("u-1", name: "alice"));
        await tcp.ReadUntilAsync("* signed in as alice (account u-1)");
        await tcp.SendAsync("hello as alice");
        await tcp.ReadUntilAsync(l => l.EndsWith("alice: hello as alice", StringComparison.Ordinal));

        var ws = await host.ConnectWebSocketAsync();
        await ws.ReadWelcomeAsync();
        await ws.SendAsync("/format json");
        await ws.SendAsync("/auth " + TestTokens.Hs256("bob")); // no name: the account is the nick
        var auth = await ws.ReadJsonAsync("auth");
        Assert.Equal("bob", auth.GetProperty("nick").GetString());
        Assert.Equal("bob", auth.GetProperty("account").GetString());
        await tcp.ReadUntilAsync(l => l.Contains(" is now known as bob", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_bad_token_is_refused_with_unauthorized_and_the_user_goes_on_as_a_guest()
    {
        var (rsa, _) = TestTokens.RsaKeyFile();
        var bad = new (string Token, string Reason)[]
        {
            (TestTokens.Unsigned("mallory"), "signature"), // unsigned: no key can verify it
            (TestTokens.Hs256("mallory", key: "another key that is also at least 32 bytes"), "signature"),
            (TestTokens.Hs256("mallory", expires: DateTime.UtcNow.AddSeconds(-45)), "expired"),
            (TestTokens.Hs256(sub: null, name: "mallory"), "no sub"),
            (TestTokens.Mint(new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256), "mallory"), "signature"), // RS256 where HS256 is configured
            ("not.a.token", "malformed"),
            ("eyJhbGciOiJIUzI1NiJ9", "malformed"),
        };
        var logs = new CapturingLoggerProvider(LogLevel.Trace);
        await using var host = await GatewayHost.StartAsync(Hs256Settings(), logging => logging.AddProvider(logs));
        var tcp = await host.ConnectTcpAsync();
        var guest = (await tcp.ReadWelcomeAsync(), tcp.Nick).Nick;
        var refusedHere = 0;
        foreach (var (token, reason) in bad)
        {
            if (++refusedHere == ChatService.MaxFailedSignIns)
            {
                // The limit's own test is below; here every kind of bad token is tried, on a fresh connection as needed.
                tcp = await host.ConnectTcpAsync();
                guest = (await tcp.ReadWelcomeAsync(), tcp.Nick).Nick;
                refusedHere = 1;
            }

            await tcp.SendAsync("/auth " + token);
            var refusal = await tcp.ReadUntilAsync(l => l.StartsWith("! ", StringComparison.Ordinal));
            Assert.StartsWith("! unauthorized: ", refusal);
            Assert.Contains(reason, refusal, StringComparison.Ordinal);
            Assert.DoesNotContain(token, refusal, StringComparison.Ordinal);
        }

        await tcp.SendAsync("/ping");
        await tcp.ReadUntilAsync("* pong");
        await tcp.SendAsync("still here");
        await tcp.ReadUntilAsync(l => l.EndsWith($"{guest}: still here", StringComparison.Ordinal));

        // One good sign-in too, so that the logs had the chance to show a token that worked.
        var good = TestTokens.Hs256("u-2", name: "carol");
        await tcp.SendAsync("/auth " + good);
        await tcp.ReadUntilAsync("* signed in as carol (account u-2)");
        foreach (var token in bad.Select(b => b.Token).Append(good).Where(t => t.Length > 20))
        {
            var signature = token.Split('.')[^1];
            Assert.DoesNotContain(logs.Entries, e => e.Contains(token, StringComparison.Ordinal) || (signature.Length > 10 && e.Contains(signature, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task With_a_public_key_rs256_tokens_are_accepted_and_an_hs256_token_signed_with_the_key_text_is_refused()
    {
        var (rsa, path) = TestTokens.RsaKeyFile();
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Auth:PublicKeyPath"] = path });
        var tcp = await host.ConnectTcpAsync();
        await tcp.ReadWelcomeAsync();

        // Algorithm confusion: the public key's own PEM text used as an HMAC secret.
        await tcp.SendAsync("/auth " + TestTokens.Hs256("mallory", key: File.ReadAllText(path)));
        Assert.StartsWith("! unauthorized: ", await tcp.ReadUntilAsync(l => l.StartsWith("! ", StringComparison.Ordinal)));

        await tcp.SendAsync("/auth " + TestTokens.Mint(new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256), "dave"));
        await tcp.ReadUntilAsync("* signed in as dave (account dave)");
    }

    [Fact]
    public async Task A_browser_signs_in_through_the_hubs_Authenticate_and_a_bad_token_is_an_unauthorized_error()
    {
        await using var host = await GatewayHost.StartAsync(Hs256Settings());
        var tcp = await host.ConnectTcpAsync();
        await tcp.ReadWelcomeAsync();
        var web = await host.ConnectHubAsync();

        var refused = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => web.InvokeAsync<JsonElement>("Authenticate", TestTokens.Hs256("erin", expires: DateTime.UtcNow.AddMinutes(-5))));
        Assert.Contains("unauthorized", refused.Message, StringComparison.Ordinal);

        var signedIn = await web.InvokeAsync<JsonElement>("Authenticate", TestTokens.Hs256("u-9", name: "erin"));
        Assert.Equal(("erin", "u-9"), (signedIn.GetProperty("nick").GetString(), signedIn.GetProperty("account").GetString()));
        await tcp.ReadUntilAsync(l => l.EndsWith(" is now known as erin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_loop_of_bad_tokens_is_slowed_by_the_message_budget_then_cut_off_on_tcp_and_the_hub()
    {
        var settings = Hs256Settings();
        settings["Gateway:Limits:MessageRate"] = "4";
        settings["Gateway:Limits:MessageBurst"] = "1";
        await using var host = await GatewayHost.StartAsync(settings);
        var tcp = await host.ConnectTcpAsync();
        await tcp.ReadWelcomeAsync();
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 1; attempt <= ChatService.MaxFailedSignIns; attempt++)
        {
            await tcp.SendAsync("/auth " + TestTokens.Hs256("mallory", key: $"guess number {attempt} of a 32-byte-or-longer key"));
        }

        var last = "";
        for (var attempt = 1; attempt <= ChatService.MaxFailedSignIns; attempt++)
        {
            last = await tcp.ReadUntilAsync(l => l.StartsWith("! unauthorized: ", StringComparison.Ordinal));
        }

        // One token at once, then one per 250 ms: four waits at least.
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(900), $"five guesses took only {started.Elapsed}");
        Assert.EndsWith("too many failed sign-ins, closing", last, StringComparison.Ordinal);
        await tcp.AssertClosedAsync();

        // The hub's budget answers rate_limited instead of waiting; without a budget every guess counts at once.
        await using var unbudgeted = await GatewayHost.StartAsync(Hs256Settings());
        var web = await unbudgeted.ConnectHubAsync();
        var closed = new TaskCompletionSource();
        web.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        for (var attempt = 1; attempt < ChatService.MaxFailedSignIns; attempt++)
        {
            var refused = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => web.InvokeAsync<JsonElement>("Authenticate", "not.a.token"));
            Assert.DoesNotContain("too many", refused.Message, StringComparison.Ordinal);
        }

        var final = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => web.InvokeAsync<JsonElement>("Authenticate", "not.a.token"));
        Assert.Contains("too many failed sign-ins", final.Message, StringComparison.Ordinal);
        await closed.Task.WaitAsync(Timeouts.Step);
    }

    [Fact]
    public async Task Without_a_key_sign_in_is_off_and_says_so()
    {
        await using var host = await GatewayHost.StartAsync();
        var tcp = await host.ConnectTcpAsync();
        await tcp.ReadWelcomeAsync();
        await tcp.SendAsync("/auth " + TestTokens.Hs256("u-1"));
        Assert.StartsWith("! unauthorized: sign-in is off", await tcp.ReadUntilAsync(l => l.StartsWith("! ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_verifier_refuses_a_100_kb_token_and_issuer_and_audience_when_configured()
    {
        var tokens = new JwtAccountTokens(new AuthOptions { SigningKey = TestTokens.SigningKey, Issuer = "https://site.example", Audience = "chat" });
        var huge = TestTokens.Hs256("u-1", claims: new Dictionary<string, object> { ["pad"] = new string('x', 100 * 1024) });
        var tooLarge = await Assert.ThrowsAsync<ChatException>(async () => await tokens.VerifyAsync(huge, CancellationToken.None));
        Assert.Equal(ErrorCodes.Unauthorized, tooLarge.Code);

        var noIssuer = await Assert.ThrowsAsync<ChatException>(async () => await tokens.VerifyAsync(
            TestTokens.Hs256("u-1", claims: new Dictionary<string, object> { ["aud"] = "chat" }), CancellationToken.None));
        Assert.Contains("issuer", noIssuer.Message, StringComparison.Ordinal);

        var right = TestTokens.Hs256("u-1", claims: new Dictionary<string, object> { ["iss"] = "https://site.example", ["aud"] = "chat", ["rooms"] = new[] { "staff" }, ["role"] = "admin" });
        var account = await tokens.VerifyAsync(right, CancellationToken.None);
        Assert.Equal(("u-1", true), (account.Id, account.IsAdmin));
        Assert.Equal(["staff"], account.Rooms);

        var wrongAudience = TestTokens.Hs256("u-1", claims: new Dictionary<string, object> { ["iss"] = "https://site.example", ["aud"] = "other" });
        Assert.Contains("audience", (await Assert.ThrowsAsync<ChatException>(async () => await tokens.VerifyAsync(wrongAudience, CancellationToken.None))).Message, StringComparison.Ordinal);

        Assert.Throws<InvalidOperationException>(() => new JwtAccountTokens(new AuthOptions { SigningKey = "short" }));
        _ = JsonSerializer.Serialize(account); // an account holds no token to leak
    }
}
