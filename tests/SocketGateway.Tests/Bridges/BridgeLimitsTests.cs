using System.Net;
using SocketGateway.Bridges;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.Bridges;

/// <summary>A service that stops reading, one that floods, and the backoff between attempts.</summary>
public sealed class BridgeLimitsTests
{
    [Fact]
    public async Task Allowed_hosts_in_ipv4_mapped_form_allow_the_ipv4_addresses_they_stand_for()
    {
        var targets = new BridgeTargets(["::ffff:10.0.0.5", "::ffff:192.168.0.0/112"]);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), await targets.ResolveAsync("10.0.0.5", default));
        Assert.Equal(IPAddress.Parse("192.168.7.9"), await targets.ResolveAsync("192.168.7.9", default));
        Assert.Equal(IPAddress.Parse("192.168.7.9").MapToIPv6(), await targets.ResolveAsync("::ffff:192.168.7.9", default));
        var refused = await Assert.ThrowsAsync<Core.ChatException>(() => targets.ResolveAsync("192.169.0.1", default));
        Assert.Equal(Core.ErrorCodes.Forbidden, refused.Code);
        await Assert.ThrowsAsync<Core.ChatException>(() => targets.ResolveAsync("127.0.0.1", default)); // loopback is not listed
        var bad = Assert.Throws<InvalidOperationException>(() => new BridgeTargets(["10.0.0.0/33"]));
        Assert.Contains("'10.0.0.0/33'", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_wait_doubles_with_each_failure_is_capped_and_jittered()
    {
        var initial = TimeSpan.FromSeconds(1);
        var max = TimeSpan.FromSeconds(30);
        var random = new Random(17);
        double[] caps = [1, 2, 4, 8, 16, 30, 30, 30];
        for (var failures = 1; failures <= caps.Length; failures++)
        {
            var cap = caps[failures - 1];
            var waits = Enumerable.Range(0, 50).Select(_ => BridgeBackoff.Delay(failures, initial, max, random).TotalSeconds).ToList();
            Assert.All(waits, w => Assert.InRange(w, cap / 2, cap));
            Assert.True(waits.Distinct().Count() > 40, "the waits are spread, not one value");
        }

        Assert.InRange(BridgeBackoff.Delay(int.MaxValue, initial, max, random).TotalSeconds, 15, 30);
    }

    [Fact]
    public async Task A_service_that_stops_reading_is_cut_off_and_counted_while_the_room_goes_on()
    {
        // A backoff long enough for the down state between the cut and the reconnect to be read.
        await using var host = await GatewayHost.StartAsync(BridgeTests.Fast(
            ("Gateway:Limits:OutboundQueueLength", "1024"),
            ("Gateway:Limits:MessageRate", "0"),
            ("Gateway:Bridges:InitialBackoffSeconds", "3"),
            ("Gateway:Bridges:MaxBackoffSeconds", "3")));
        await using var service = FramedService.Start(receiveBuffer: 4096);
        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.JoinAsync("ops");
        await using var sam = await host.ConnectTcpAsync("sam");
        await sam.JoinAsync("ops");
        using var http = host.CreateHttpClient();
        var id = (await BridgeTests.CreateAsync(http, "ops", service.Port)).GetProperty("id").GetString()!;
        // The service accepts and then never reads.
        await using var stuck = await service.AcceptAsync();
        await tina.ReadUntilAsync("[ops] -> buildlog joined (bridge)");

        var line = new string('z', 900);
        var sent = 0;
        while (true)
        {
            for (var i = 0; i < 100; i++, sent++)
            {
                await sam.SendAsync($"{sent} {line}");
            }

            // Each burst reaches tina whole (she reads each before the next): the stuck bridge slows nobody.
            await tina.ReadUntilAsync($"[ops] sam: {sent - 1} {line}");
            var bridge = await BridgeTests.GetAsync(http, id);
            // More waiting than its queue holds: it has overflowed, and is cut once its grace to read is over.
            if (sent - bridge.GetProperty("framesOut").GetInt64() > 1024 + 100)
            {
                break;
            }

            Assert.True(sent < 100_000, $"the bridge never filled its queue: {bridge}");
        }

        await BridgeTests.WaitForAsync(http, id, b => b.GetProperty("cutOffs").GetInt64() > 0);
        await tina.ReadUntilAsync("[ops] <- buildlog left (disconnected)");
        var down = await BridgeTests.WaitForAsync(http, id, b => b.GetProperty("lastError").GetString() is { } e && e.StartsWith("cut off", StringComparison.Ordinal));
        Assert.Equal(1, down.GetProperty("cutOffs").GetInt64());
        Assert.Matches(@"socketgateway_bridges_cut_off(_connection)?_total(\{[^}]*\})? [1-9]", await http.GetStringAsync("metrics"));
        // And it comes back: a new connection, which this service reads.
        await using var fresh = await service.AcceptAsync();
        await tina.ReadUntilAsync("[ops] -> buildlog joined (bridge)");
        await sam.SendAsync("after the cut");
        Assert.Equal("after the cut", await fresh.ReadAsync());
    }

    [Fact]
    public async Task A_flooding_service_is_read_at_its_budget_loses_nothing_and_the_room_still_talks()
    {
        await using var host = await GatewayHost.StartAsync(BridgeTests.Fast(
            ("Gateway:Limits:MessageRate", "100"),
            ("Gateway:Limits:MessageBurst", "5")));
        await using var service = FramedService.Start();
        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.JoinAsync("ops");
        using var http = host.CreateHttpClient();
        await BridgeTests.CreateAsync(http, "ops", service.Port);
        await using var flood = await service.AcceptAsync();
        await tina.ReadUntilAsync("[ops] -> buildlog joined (bridge)");

        const int Frames = 300;
        var all = string.Concat(Enumerable.Range(0, Frames).Select(i => $"line {i}\n"));
        await flood.SendRawAsync(System.Text.Encoding.UTF8.GetBytes(all));
        await tina.ReadUntilAsync("[ops] buildlog: line 20");
        await tina.SendAsync("meanwhile");
        var seen = new List<string>();
        await tina.ReadUntilAsync(l =>
        {
            seen.Add(l);
            return l == $"[ops] buildlog: line {Frames - 1}";
        });
        var relayed = seen.Where(l => l.StartsWith("[ops] buildlog: line ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(21, Frames - 21).Select(i => $"[ops] buildlog: line {i}"), relayed);
        Assert.Contains("[ops] tina: meanwhile", seen);
        Assert.True(seen.IndexOf("[ops] tina: meanwhile") < seen.Count - 10, "tina's message went out amid the flood, not after it");
    }

    [Fact]
    public async Task A_service_that_writes_far_more_than_its_queue_at_once_waits_for_its_own_echoes_and_is_not_cut_off()
    {
        // Without a budget the frames come as fast as they are read; each comes back to the bridge's own queue (64).
        await using var host = await GatewayHost.StartAsync(BridgeTests.Fast(
            ("Gateway:Limits:OutboundQueueLength", "64"),
            ("Gateway:Limits:MessageRate", "0")));
        await using var service = FramedService.Start();
        using var http = host.CreateHttpClient();
        var id = (await BridgeTests.CreateAsync(http, "ops", service.Port)).GetProperty("id").GetString()!;
        await using var burst = await service.AcceptAsync();
        await BridgeTests.WaitForAsync(http, id, b => b.GetProperty("state").GetString() == "up");

        const int Frames = 3000;
        await burst.SendRawAsync(System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, Frames).Select(i => $"frame {i}\n"))));
        var bridge = await BridgeTests.WaitForAsync(http, id, b => b.GetProperty("framesIn").GetInt64() == Frames || b.GetProperty("cutOffs").GetInt64() > 0);
        Assert.Equal(0, bridge.GetProperty("cutOffs").GetInt64());
        Assert.Equal("up", bridge.GetProperty("state").GetString());
        var last = await ApiAssert.JsonAsync(await http.GetAsync("api/rooms/ops/messages?limit=1"), HttpStatusCode.OK);
        Assert.Equal($"frame {Frames - 1}", Assert.Single(last.EnumerateArray()).GetProperty("text").GetString());
    }
}
