using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.Bridges;

/// <summary>Bridges made over REST to small socket services started here, with TCP and SignalR users in the bridged room.</summary>
public sealed class BridgeTests
{
    public static Dictionary<string, string?> Fast(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Bridges:InitialBackoffSeconds"] = "0.05",
            ["Gateway:Bridges:MaxBackoffSeconds"] = "0.4",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    public static async Task<JsonElement> CreateAsync(HttpClient http, string room, int port, string framing = "lf", string nick = "buildlog", string host = "127.0.0.1")
    {
        var response = await http.PostAsJsonAsync("api/bridges", new { room, host, port, framing, nick });
        var bridge = await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        Assert.Equal($"/api/bridges/{bridge.GetProperty("id").GetString()}", response.Headers.Location?.OriginalString);
        return bridge;
    }

    public static async Task<JsonElement> GetAsync(HttpClient http, string id) =>
        await ApiAssert.JsonAsync(await http.GetAsync($"api/bridges/{id}"), HttpStatusCode.OK);

    /// <summary>
    /// Reads the bridge until <paramref name="done"/> holds: for states nothing else announces (down, a count), the
    /// API is what a person would watch.
    /// </summary>
    public static async Task<JsonElement> WaitForAsync(HttpClient http, string id, Func<JsonElement, bool> done, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? Timeouts.Step);
        JsonElement last = default;
        while (!deadline.IsCancellationRequested)
        {
            last = await GetAsync(http, id);
            if (done(last))
            {
                return last;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"bridge {id} never got there: {last}");
    }

    [Fact]
    public async Task A_bridge_posts_each_frame_as_its_nick_and_writes_everyone_elses_messages_back_but_not_its_own()
    {
        await using var host = await GatewayHost.StartAsync(Fast());
        await using var service = FramedService.Start();
        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.JoinAsync("ops");
        var hub = await host.ConnectHubAsync("webby");
        await hub.InvokeAsync<JsonElement>("Join", "ops");
        using var http = host.CreateHttpClient();

        var created = await CreateAsync(http, "ops", service.Port);
        Assert.Equal("ops", created.GetProperty("room").GetString());
        Assert.Equal("lf", created.GetProperty("framing").GetString());
        Assert.Contains(created.GetProperty("state").GetString(), new[] { "connecting", "up" });
        ApiAssert.Timestamp(created.GetProperty("since"));
        await using var build = await service.AcceptAsync();
        await tina.ReadUntilAsync("[ops] -> buildlog joined (bridge)");

        await build.SendAsync("build 42 passed");
        await tina.ReadUntilAsync("[ops] buildlog: build 42 passed");
        var seen = await hub.NextAsync("message", m => m.GetProperty("from").GetString() == "buildlog");
        Assert.Equal("bridge", seen.GetProperty("via").GetString());
        Assert.Equal("build 42 passed", seen.GetProperty("text").GetString());

        await tina.SendAsync("rerun 42");
        Assert.Equal("rerun 42", await build.ReadAsync());
        await hub.InvokeAsync<JsonElement>("Send", "ops", "and deploy");
        Assert.Equal("and deploy", await build.ReadAsync());
        // The lobby is not the bridge's room: nothing said there reaches the service.
        await tina.SendAsync("/join lobby");
        await tina.SendAsync("not for the service");
        await tina.SendAsync("/join ops");
        await tina.SendAsync("last one");
        Assert.Equal("last one", await build.ReadAsync());

        var bridge = await GetAsync(http, created.GetProperty("id").GetString()!);
        Assert.Equal("up", bridge.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, bridge.GetProperty("lastError").ValueKind);
        Assert.Equal(1, bridge.GetProperty("framesIn").GetInt64());
        Assert.Equal("build 42 passed\n".Length, bridge.GetProperty("bytesIn").GetInt64());
        Assert.Equal(3, bridge.GetProperty("framesOut").GetInt64());
        Assert.Equal("rerun 42\nand deploy\nlast one\n".Length, bridge.GetProperty("bytesOut").GetInt64());
        var list = await ApiAssert.JsonAsync(await http.GetAsync("api/bridges"), HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("id").GetString(), Assert.Single(list.EnumerateArray()).GetProperty("id").GetString());

        var members = await ApiAssert.JsonAsync(await http.GetAsync("api/rooms/ops/members"), HttpStatusCode.OK);
        Assert.Equal("bridge", ApiAssert.Find(members, "nick", "buildlog").GetProperty("via").GetString());
        var lobby = await ApiAssert.JsonAsync(await http.GetAsync("api/rooms/lobby/members"), HttpStatusCode.OK);
        Assert.False(ApiAssert.Contains(lobby, "nick", "buildlog"), "a bridge is a member of its own room only");
        var metrics = await http.GetStringAsync("metrics");
        Assert.Matches(@"socketgateway_bridges(_bridge)?\{[^}]*state=""up""[^}]*\} 1", metrics);
        // Listed before any cut-off (the counter is the process's, so other tests' may be in it).
        Assert.Matches(@"socketgateway_bridges_cut_off(_connection)?_total(\{[^}]*\})? [0-9]+", metrics);
    }

    [Fact]
    public async Task Two_bridges_in_one_room_do_not_feed_each_other_and_both_hear_the_people()
    {
        await using var host = await GatewayHost.StartAsync(Fast());
        await using var echoA = FramedService.Start();
        await using var echoB = FramedService.Start();
        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.JoinAsync("ops");
        using var http = host.CreateHttpClient();
        await CreateAsync(http, "ops", echoA.Port, nick: "echoa");
        await using var a = await echoA.AcceptAsync();
        await tina.ReadUntilAsync("[ops] -> echoa joined (bridge)");
        await CreateAsync(http, "ops", echoB.Port, nick: "echob");
        await using var b = await echoB.AcceptAsync();
        await tina.ReadUntilAsync("[ops] -> echob joined (bridge)");

        await a.SendAsync("from service a");
        await tina.ReadUntilAsync("[ops] echoa: from service a");
        await tina.SendAsync("for both");
        Assert.Equal("for both", await a.ReadAsync());
        Assert.Equal("for both", await b.ReadAsync()); // not "from service a" first: b never got a's post
    }

    [Fact]
    public async Task Invalid_utf8_over_long_and_empty_frames_are_counted_and_skipped_and_the_bridge_stays_up()
    {
        await using var host = await GatewayHost.StartAsync(Fast(("Gateway:Limits:MaxLineBytes", "64")));
        await using var service = FramedService.Start();
        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.JoinAsync("ops");
        using var http = host.CreateHttpClient();
        var id = (await CreateAsync(http, "ops", service.Port)).GetProperty("id").GetString()!;
        await using var build = await service.AcceptAsync();
        await tina.ReadUntilAsync("[ops] -> buildlog joined (bridge)");

        await build.SendRawAsync([0xC3, 0x28, (byte)'\n']);
        await build.SendAsync(new string('x', 65));
        await build.SendAsync("");
        await build.SendAsync("   ");
        await build.SendAsync("still here");
        var lines = await tina.ReadUntilAsync("[ops] buildlog: still here");
        var bridge = await WaitForAsync(http, id, b => b.GetProperty("framesIn").GetInt64() == 5);
        Assert.Equal(4, bridge.GetProperty("skipped").GetInt64());
        Assert.Equal("up", bridge.GetProperty("state").GetString());
        await tina.SendAsync("/history 5");
        var history = await tina.ReadUntilAsync("* end of history");
        await tina.AssertNoLineAsync(l => l.Contains("xxxx", StringComparison.Ordinal) || l.Contains('\uFFFD'), Timeouts.Quiet);
    }

    [Theory]
    [InlineData("crlf")]
    [InlineData("nul")]
    [InlineData("lp32")]
    public async Task Each_framing_is_read_and_written_in_its_own_bytes(string framing)
    {
        await using var host = await GatewayHost.StartAsync(Fast());
        await using var service = FramedService.Start();
        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.JoinAsync("dev");
        using var http = host.CreateHttpClient();
        await CreateAsync(http, "dev", service.Port, framing, nick: "device");
        await using var device = await service.AcceptAsync(framing);
        await tina.ReadUntilAsync("[dev] -> device joined (bridge)");

        await device.SendAsync("temperature 21.5 °C");
        await device.SendAsync("humidity 40 %");
        await tina.ReadUntilAsync("[dev] device: temperature 21.5 °C");
        await tina.ReadUntilAsync("[dev] device: humidity 40 %");
        await tina.SendAsync("set fan ✓");
        var (payload, raw) = await device.ReadFrameAsync();
        Assert.Equal("set fan ✓", Encoding.UTF8.GetString(payload));
        Assert.Equal(ServiceConnection.Frame(framing, Encoding.UTF8.GetBytes("set fan ✓")), raw);
    }

    [Fact]
    public async Task An_unreachable_service_is_down_with_its_error_then_up_when_it_listens_and_reconnects_when_it_hangs_up()
    {
        await using var host = await GatewayHost.StartAsync(Fast());
        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.JoinAsync("ops");
        using var http = host.CreateHttpClient();
        var port = FramedService.FreePort();
        var id = (await CreateAsync(http, "ops", port)).GetProperty("id").GetString()!;

        var firstDown = await WaitForAsync(http, id, b => b.GetProperty("state").GetString() == "down");
        var down = await WaitForAsync(http, id, b => b.GetProperty("state").GetString() == "down" && b.GetProperty("failures").GetInt32() >= 3);
        Assert.Contains("refused", down.GetProperty("lastError").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(firstDown.GetProperty("since").GetString(), down.GetProperty("since").GetString()); // since the outage began
        ApiAssert.Timestamp(down.GetProperty("nextAttemptAt"));
        await tina.AssertNoLineAsync(l => l.Contains("buildlog", StringComparison.Ordinal), Timeouts.Quiet);

        await using var service = FramedService.Start(port);
        var first = await service.AcceptAsync();
        await tina.ReadUntilAsync("[ops] -> buildlog joined (bridge)");
        var up = await WaitForAsync(http, id, b => b.GetProperty("state").GetString() == "up");
        Assert.Equal(JsonValueKind.Null, up.GetProperty("lastError").ValueKind);
        Assert.Equal(JsonValueKind.Null, up.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal(0, up.GetProperty("failures").GetInt32());

        await first.DisposeAsync();
        await tina.ReadUntilAsync("[ops] <- buildlog left (disconnected)");
        await using var second = await service.AcceptAsync();
        await tina.ReadUntilAsync("[ops] -> buildlog joined (bridge)");
        await second.SendAsync("back again");
        await tina.ReadUntilAsync("[ops] buildlog: back again");
        var again = await WaitForAsync(http, id, b => b.GetProperty("state").GetString() == "up");
        Assert.Equal(1, again.GetProperty("framesIn").GetInt64());
    }

    [Fact]
    public async Task A_bridge_is_stored_and_comes_back_after_a_restart_and_a_deleted_one_does_not()
    {
        var database = GatewayHost.NewDatabase(out _);
        var settings = Fast(("ConnectionStrings:Gateway", database));
        await using var service = FramedService.Start();
        string kept;
        await using (var host = await GatewayHost.StartAsync(settings))
        {
            using var http = host.CreateHttpClient();
            kept = (await CreateAsync(http, "ops", service.Port)).GetProperty("id").GetString()!;
            var removed = (await CreateAsync(http, "dev", FramedService.FreePort(), nick: "gone")).GetProperty("id").GetString()!;
            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/bridges/{removed}")).StatusCode);
            await using var before = await service.AcceptAsync();
            await before.SendAsync("before the restart");
            await WaitForAsync(http, kept, b => b.GetProperty("framesIn").GetInt64() == 1);
        }

        await using var restarted = await GatewayHost.StartAsync(settings);
        await using var tina = await restarted.ConnectTcpAsync("tina");
        await tina.JoinAsync("ops");
        await using var after = await service.AcceptAsync();
        await after.SendAsync("after the restart");
        // Live, or in the history tina is replayed if the bridge spoke before she joined.
        await tina.ReadUntilAsync("[ops] buildlog: after the restart");
        using var again = restarted.CreateHttpClient();
        var list = await ApiAssert.JsonAsync(await again.GetAsync("api/bridges"), HttpStatusCode.OK);
        var bridge = Assert.Single(list.EnumerateArray());
        Assert.Equal(kept, bridge.GetProperty("id").GetString());
        Assert.Equal(service.Port, bridge.GetProperty("port").GetInt32());
    }

    [Fact]
    public async Task Deleting_a_bridge_closes_its_connection_and_its_member_leaves()
    {
        await using var host = await GatewayHost.StartAsync(Fast());
        await using var service = FramedService.Start();
        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.JoinAsync("ops");
        using var http = host.CreateHttpClient();
        var id = (await CreateAsync(http, "ops", service.Port)).GetProperty("id").GetString()!;
        await using var build = await service.AcceptAsync();
        await tina.ReadUntilAsync("[ops] -> buildlog joined (bridge)");

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/bridges/{id}")).StatusCode);
        await tina.ReadUntilAsync(l => l.StartsWith("[ops] <- buildlog left (quit", StringComparison.Ordinal));
        await build.AssertClosedAsync();
        await ApiAssert.ProblemAsync(await http.GetAsync($"api/bridges/{id}"), HttpStatusCode.NotFound, "no_such_bridge");
        await ApiAssert.ProblemAsync(await http.DeleteAsync($"api/bridges/{id}"), HttpStatusCode.NotFound, "no_such_bridge");
        Assert.Equal(0, (await ApiAssert.JsonAsync(await http.GetAsync("api/bridges"), HttpStatusCode.OK)).GetArrayLength());
    }

    [Fact]
    public async Task Targets_outside_the_allowed_hosts_are_forbidden_names_included_and_bad_requests_say_what_is_wrong()
    {
        await using var host = await GatewayHost.StartAsync(Fast());
        using var http = host.CreateHttpClient();
        async Task<JsonElement> Refused(object body, HttpStatusCode status, string code) =>
            await ApiAssert.ProblemAsync(await http.PostAsJsonAsync("api/bridges", body), status, code);

        var outside = await Refused(new { room = "ops", host = "10.20.30.40", port = 7000, framing = "lf", nick = "bot" }, HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("10.20.30.40 is not in Gateway:Bridges:AllowedHosts", outside.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Refused(new { room = "ops", host = "no-such-host.invalid", port = 7000, framing = "lf", nick = "bot" }, HttpStatusCode.Forbidden, "forbidden");
        await Refused(new { room = "ops", host = "::ffff:10.20.30.40", port = 7000, framing = "lf", nick = "bot" }, HttpStatusCode.Forbidden, "forbidden");
        await Refused(new { room = "ops", host = "127.0.0.1", port = 7000, framing = "json", nick = "bot" }, HttpStatusCode.BadRequest, "bad_argument");
        await Refused(new { room = "ops", host = "127.0.0.1", port = 0, framing = "lf", nick = "bot" }, HttpStatusCode.BadRequest, "bad_argument");
        await Refused(new { room = "ops", host = "", port = 7000, framing = "lf", nick = "bot" }, HttpStatusCode.BadRequest, "bad_argument");
        await Refused(new { room = "no such room!", host = "127.0.0.1", port = 7000, framing = "lf", nick = "bot" }, HttpStatusCode.BadRequest, "invalid_room");
        await Refused(new { room = "ops", host = "127.0.0.1", port = 7000, framing = "lf", nick = "1bot" }, HttpStatusCode.BadRequest, "invalid_nick");
        await CreateAsync(http, "ops", FramedService.FreePort(), nick: "bot", host: "localhost");
        await Refused(new { room = "dev", host = "127.0.0.1", port = 7001, framing = "lf", nick = "BOT" }, HttpStatusCode.Conflict, "nick_taken");
        Assert.Equal(1, (await ApiAssert.JsonAsync(await http.GetAsync("api/bridges"), HttpStatusCode.OK)).GetArrayLength());
    }

    [Fact]
    public async Task A_message_with_line_breaks_is_one_frame_so_nobody_in_the_room_can_write_frames_of_their_own()
    {
        await using var host = await GatewayHost.StartAsync(Fast());
        await using var service = FramedService.Start();
        using var http = host.CreateHttpClient();
        var id = (await CreateAsync(http, "ops", service.Port, "crlf")).GetProperty("id").GetString()!;
        await using var shell = await service.AcceptAsync("crlf");
        await WaitForAsync(http, id, b => b.GetProperty("state").GetString() == "up");

        var posted = await http.PostAsJsonAsync("api/rooms/ops/messages", new { from = "mallory", text = "status\r\nshutdown now\u2028and\u0000this" });
        await ApiAssert.JsonAsync(posted, HttpStatusCode.Created);
        var (payload, raw) = await shell.ReadFrameAsync();
        Assert.Equal("status  shutdown now and this", Encoding.UTF8.GetString(payload));
        Assert.Equal(ServiceConnection.Frame("crlf", payload), raw);
        Assert.Equal(1, (await GetAsync(http, id)).GetProperty("framesOut").GetInt64());
    }

    [Fact]
    public async Task A_private_room_a_users_nick_and_a_host_with_a_port_are_refused_when_the_bridge_is_made()
    {
        await using var host = await GatewayHost.StartAsync(Fast());
        await using var tina = await host.ConnectTcpAsync("tina");
        using var http = host.CreateHttpClient();
        await ApiAssert.JsonAsync(await http.PostAsJsonAsync("api/rooms", new { name = "staff", @private = true }), HttpStatusCode.Created);
        async Task Refused(object body, HttpStatusCode status, string code) =>
            await ApiAssert.ProblemAsync(await http.PostAsJsonAsync("api/bridges", body), status, code);

        await Refused(new { room = "staff", host = "127.0.0.1", port = 7000, framing = "lf", nick = "bot" }, HttpStatusCode.Forbidden, "forbidden");
        await Refused(new { room = "ops", host = "127.0.0.1", port = 7000, framing = "lf", nick = "TINA" }, HttpStatusCode.Conflict, "nick_taken");
        foreach (var bad in new[] { "127.0.0.1:8080", "[::1]", "[::1]:22", "http://127.0.0.1", "127.0.0.1/x", "local host" })
        {
            await Refused(new { room = "ops", host = bad, port = 7000, framing = "lf", nick = "bot" }, HttpStatusCode.BadRequest, "bad_argument");
        }

        await CreateAsync(http, "ops", FramedService.FreePort(), nick: "bot", host: "::1");
    }

    [Fact]
    public async Task A_name_is_checked_by_every_address_it_resolves_to()
    {
        // Only 127.0.0.1: localhost also resolves to ::1, which is not listed, so a bridge to it is refused.
        await using var host = await GatewayHost.StartAsync(Fast(("Gateway:Bridges:AllowedHosts:0", "127.0.0.1/32")));
        using var http = host.CreateHttpClient();
        var addresses = await Dns.GetHostAddressesAsync("localhost");
        var body = new { room = "ops", host = "localhost", port = 7000, framing = "lf", nick = "bot" };
        if (addresses.Any(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6))
        {
            var refused = await ApiAssert.ProblemAsync(await http.PostAsJsonAsync("api/bridges", body), HttpStatusCode.Forbidden, "forbidden");
            Assert.Contains("localhost (::1)", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        await CreateAsync(http, "ops", FramedService.FreePort(), nick: "bot", host: "127.0.0.1");
        await ApiAssert.ProblemAsync(await http.PostAsJsonAsync("api/bridges", body with { host = "127.0.0.2", nick = "bot2" }), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task The_target_is_checked_again_at_every_connect_so_a_narrowed_list_stops_a_stored_bridge()
    {
        var database = GatewayHost.NewDatabase(out _);
        await using var service = FramedService.Start();
        string id;
        await using (var host = await GatewayHost.StartAsync(Fast(("ConnectionStrings:Gateway", database))))
        {
            using var http = host.CreateHttpClient();
            id = (await CreateAsync(http, "ops", service.Port)).GetProperty("id").GetString()!;
            await using var accepted = await service.AcceptAsync();
        }

        // The same bridge after a restart with loopback no longer allowed: refused before any connect, and it says so.
        await using var narrowed = await GatewayHost.StartAsync(Fast(("ConnectionStrings:Gateway", database), ("Gateway:Bridges:AllowedHosts:0", "10.0.0.0/8")));
        using var again = narrowed.CreateHttpClient();
        var down = await WaitForAsync(again, id, b => b.GetProperty("state").GetString() == "down");
        Assert.Equal($"forbidden: 127.0.0.1 is not in Gateway:Bridges:AllowedHosts", down.GetProperty("lastError").GetString());
        await WaitForAsync(again, id, b => b.GetProperty("failures").GetInt32() >= 2);
        Assert.False(service.HasPending, "the refused bridge never connected");
    }

    [Fact]
    public async Task Bridges_are_for_the_admin_only()
    {
        await using var host = await GatewayHost.StartAsync(Fast(("Gateway:AdminApiKey", "bridge admin key")));
        using var anonymous = host.CreateHttpClient();
        await ApiAssert.ProblemAsync(await anonymous.GetAsync("api/bridges"), HttpStatusCode.Unauthorized, "unauthorized");
        await ApiAssert.ProblemAsync(
            await anonymous.PostAsJsonAsync("api/bridges", new { room = "ops", host = "127.0.0.1", port = 7000, framing = "lf", nick = "bot" }),
            HttpStatusCode.Unauthorized, "unauthorized");
        await ApiAssert.ProblemAsync(await anonymous.DeleteAsync("api/bridges/b-1"), HttpStatusCode.Unauthorized, "unauthorized");

        using var admin = host.CreateHttpClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", "bridge admin key");
        var id = (await CreateAsync(admin, "ops", FramedService.FreePort(), nick: "bot")).GetProperty("id").GetString()!;
        Assert.Equal(id, Assert.Single((await ApiAssert.JsonAsync(await admin.GetAsync("api/bridges"), HttpStatusCode.OK)).EnumerateArray()).GetProperty("id").GetString());
    }
}
