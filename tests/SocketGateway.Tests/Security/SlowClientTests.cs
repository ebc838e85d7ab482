using System.Text;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Security;

public sealed class ShortTimeoutGateway() : SeparateGatewayFixture(new Dictionary<string, string?>
{
    ["Gateway:Limits:LineTimeoutSeconds"] = "0.5",
    ["Gateway:Limits:LoginTimeoutSeconds"] = "1.5",
});

/// <summary>Slowloris and silent connections, on the real port with short limits (the clock rules are unit-tested).</summary>
public sealed class SlowClientTests(ShortTimeoutGateway gateway) : IClassFixture<ShortTimeoutGateway>
{
    [Fact]
    public async Task A_line_that_is_never_completed_ends_the_connection()
    {
        await using var client = await gateway.Host.ConnectTcpAsync(GatewayFixture.Unique("slow"));
        await client.SendRawAsync("/ping\nhel"u8.ToArray());
        await client.ReadUntilAsync("* pong");
        await client.SendRawAsync("l"u8.ToArray());
        Assert.Equal("! bad_argument: a line must be completed within 0.5 s; closing", await client.ReadLineAsync());
        Assert.Null(await client.ReadLineAsync());
    }

    [Fact]
    public async Task A_megabyte_line_without_a_newline_is_refused_then_timed_out()
    {
        await using var client = await gateway.Host.ConnectTcpAsync(GatewayFixture.Unique("big"));
        await client.SendRawAsync(Encoding.ASCII.GetBytes(new string('x', 1024 * 1024)));
        await client.ReadUntilAsync(l => l.StartsWith("! line_too_long:", StringComparison.Ordinal));
        await client.ReadUntilAsync(l => l.StartsWith("! bad_argument: a line must be completed", StringComparison.Ordinal));
        Assert.Null(await client.ReadLineAsync());
    }

    [Fact]
    public async Task Lines_completed_in_time_keep_the_connection()
    {
        await using var client = await gateway.Host.ConnectTcpAsync(GatewayFixture.Unique("ok"));
        for (var i = 0; i < 3; i++)
        {
            await client.SendRawAsync("/pi"u8.ToArray());
            await client.SendRawAsync("ng\n"u8.ToArray());
            await client.ReadUntilAsync("* pong");
        }
    }

    [Fact]
    public async Task A_first_empty_line_which_starts_like_a_proxy_header_is_a_line_and_no_deadline_runs_after_it()
    {
        await using var client = await LineClient.ConnectTcpAsync(gateway.Host.TcpPort);
        await client.ReadWelcomeAsync();
        await client.SendRawAsync("\r\n"u8.ToArray()); // also the first two bytes of a PROXY v2 signature

        // Another client's line timing out is proof that more than the line timeout has passed.
        await using var slow = await gateway.Host.ConnectTcpAsync(GatewayFixture.Unique("slow"));
        await slow.SendRawAsync("hel"u8.ToArray());
        await slow.ReadUntilAsync(l => l.StartsWith("! bad_argument: a line must be completed", StringComparison.Ordinal));

        await client.SendAsync("/ping");
        Assert.Equal("* pong", await client.ReadUntilAsync(l => l.StartsWith('*') || l.StartsWith('!')));
    }

    [Fact]
    public async Task A_connection_that_never_sends_a_line_is_closed_after_the_login_timeout()
    {
        await using var client = await gateway.Host.ConnectTcpAsync();
        await client.ReadWelcomeAsync();
        Assert.Equal("! bad_argument: nothing was sent within 1.5 s; closing", await client.ReadUntilAsync(l => l.StartsWith('!'), TimeSpan.FromSeconds(5)));
        Assert.Null(await client.ReadLineAsync());
    }
}
