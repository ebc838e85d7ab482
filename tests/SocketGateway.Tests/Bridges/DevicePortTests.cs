using System.Net.Sockets;
using System.Text;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.Bridges;

/// <summary>Device ports from configuration, driven by raw sockets, next to TCP users of the bound room.</summary>
public sealed class DevicePortTests
{
    private static Dictionary<string, string?> Port(string framing, params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Listeners:0:Port"] = "0",
            ["Gateway:Listeners:0:Room"] = "sensors",
            ["Gateway:Listeners:0:Framing"] = framing,
            ["Gateway:Listeners:0:Nick"] = "sensor",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static async Task<ServiceConnection> ConnectAsync(GatewayHost host, string framing, int index = 0)
    {
        var client = new TcpClient();
        await client.ConnectAsync(host.Address, host.DevicePorts[index]).WaitAsync(Timeouts.Step);
        return new ServiceConnection(client, framing);
    }

    [Fact]
    public async Task Each_connection_speaks_in_the_bound_room_as_nick_or_nick_n_and_hears_everyone_else_without_commands()
    {
        await using var host = await GatewayHost.StartAsync(Port("lf"));
        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.JoinAsync("sensors");

        await using var first = await ConnectAsync(host, "lf");
        await tina.ReadUntilAsync("[sensors] -> sensor joined (device)");
        await using var second = await ConnectAsync(host, "lf");
        await tina.ReadUntilAsync("[sensors] -> sensor-2 joined (device)");

        await first.SendAsync("t=21.5");
        await tina.ReadUntilAsync("[sensors] sensor: t=21.5");
        Assert.Equal("t=21.5", await second.ReadAsync());
        // A line that looks like a command is a message: a device port has none.
        await second.SendAsync("/nick evil");
        await tina.ReadUntilAsync("[sensors] sensor-2: /nick evil");
        await tina.SendAsync("reset all");
        Assert.Equal("/nick evil", await first.ReadAsync()); // not its own t=21.5: a device is not echoed
        Assert.Equal("reset all", await first.ReadAsync());
        Assert.Equal("reset all", await second.ReadAsync());

        await first.DisposeAsync();
        await tina.ReadUntilAsync("[sensors] <- sensor left (disconnected)");
        await using var third = await ConnectAsync(host, "lf");
        await tina.ReadUntilAsync("[sensors] -> sensor joined (device)");
    }

    [Fact]
    public async Task A_length_prefixed_port_skips_over_long_and_broken_frames_and_stays_connected()
    {
        await using var host = await GatewayHost.StartAsync(Port("lp32", ("Gateway:Limits:MaxLineBytes", "32")));
        await using var tina = await host.ConnectTcpAsync("tina");
        await tina.JoinAsync("sensors");
        await using var device = await ConnectAsync(host, "lp32");
        await tina.ReadUntilAsync("[sensors] -> sensor joined (device)");

        await device.SendRawAsync([0x00, 0x10, 0x00, 0x00, .. new byte[100]]); // announces 1 MiB, sends 100 bytes of it
        await device.SendRawAsync(new byte[(1 << 20) - 100]);
        await device.SendRawAsync(ServiceConnection.Frame("lp32", [0xFF, 0xFE]));
        await device.SendAsync("ok ✓");
        await tina.ReadUntilAsync("[sensors] sensor: ok ✓");
        await tina.SendAsync("ack");
        var (payload, raw) = await device.ReadFrameAsync();
        Assert.Equal("ack", Encoding.UTF8.GetString(payload));
        Assert.Equal([0, 0, 0, 3, .. "ack"u8], raw);
        await tina.AssertNoLineAsync(l => l.StartsWith("[sensors] sensor: ", StringComparison.Ordinal), Timeouts.Quiet);
    }

    [Fact]
    public async Task A_port_is_admitted_like_the_chat_port_per_address()
    {
        await using var host = await GatewayHost.StartAsync(Port("nul",
            ("Gateway:Limits:ExemptLoopback", "false"), ("Gateway:Limits:MaxConnectionsPerIp", "2")));
        await using var tina = await host.ConnectTcpAsync("tina"); // one of the address's two
        await tina.JoinAsync("sensors");
        await using var device = await ConnectAsync(host, "nul");
        await tina.ReadUntilAsync("[sensors] -> sensor joined (device)");
        await using var refused = await ConnectAsync(host, "nul");
        await refused.AssertClosedAsync();
        await device.SendAsync("still here");
        await tina.ReadUntilAsync("[sensors] sensor: still here");
    }

    [Theory]
    [InlineData("Framing", "json", "Gateway:Listeners:0: framing must be one of lf, crlf, nul, lp32")]
    [InlineData("Room", "no room!", "Gateway:Listeners:0: ")]
    [InlineData("Nick", "a-nick-far-too-long-for-it", "Gateway:Listeners:0: ")]
    public async Task A_bad_device_port_setting_stops_the_start_and_says_which(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(Port("lf", ($"Gateway:Listeners:0:{key}", value))));
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }
}
