using System.Text;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>A gateway whose lines are at most 64 UTF-8 bytes, so that the limit is easy to hit exactly.</summary>
public sealed class SmallLineLimitHost : IAsyncLifetime
{
    public const int MaxLineBytes = 64;

    private GatewayHost? _host;

    public GatewayHost Host => _host ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() =>
        _host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Limits:MaxLineBytes"] = "64" });

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

/// <summary>MaxLineBytes counts UTF-8 bytes without the terminator; an overlong line is refused, never relayed.</summary>
public sealed class TcpLineLimitTests(SmallLineLimitHost fixture) : IClassFixture<SmallLineLimitHost>
{
    // 1 + 21 × 3 = 64 bytes, but only 22 characters: the limit is in bytes, not in chars.
    private const string AtLimit = "a\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac";

    private GatewayHost Host => fixture.Host;

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public async Task A_line_of_exactly_the_limit_in_utf8_bytes_is_relayed(string terminator)
    {
        var (alice, bob, room) = await PairAsync();
        Assert.Equal(SmallLineLimitHost.MaxLineBytes, Encoding.UTF8.GetByteCount(AtLimit));

        await alice.SendRawAsync(Encoding.UTF8.GetBytes(AtLimit + terminator));

        Assert.Equal($"[{room}] {alice.Nick}: {AtLimit}", await bob.ReadLineAsync());
        Assert.Equal([$"[{room}] {alice.Nick}: {AtLimit}"], await alice.SyncAsync());
    }

    /// <summary>Lines of 65 bytes (not counting the terminator, of which only one '\r' before the '\n' is free).</summary>
    public static readonly TheoryData<string, string> OneByteOver = new()
    {
        { "x" + AtLimit, "\n" },
        { "x" + AtLimit, "\r\n" },
        { "\u00e9" + AtLimit[1..], "\n" },
        { AtLimit + "\r", "\r\n" },
        { AtLimit[..^1] + "\u00e9\u00e9", "\n" },
    };

    [Theory]
    [MemberData(nameof(OneByteOver))]
    public async Task One_byte_over_the_limit_is_line_too_long_is_not_relayed_and_the_connection_goes_on(string line, string terminator)
    {
        var (alice, bob, room) = await PairAsync();
        Assert.Equal(SmallLineLimitHost.MaxLineBytes + 1, Encoding.UTF8.GetByteCount(line));

        await alice.SendRawAsync(Encoding.UTF8.GetBytes(line + terminator));

        var replies = await alice.SyncAsync();
        Assert.StartsWith("! line_too_long: ", Assert.Single(replies));
        Assert.Empty(await bob.SyncAsync());

        await alice.SendAsync("still here");
        Assert.Equal($"[{room}] {alice.Nick}: still here", await bob.ReadLineAsync());
    }

    [Fact]
    public async Task A_command_is_limited_like_a_message()
    {
        var (alice, bob, room) = await PairAsync();
        var action = "/me " + AtLimit[2..];
        Assert.Equal(SmallLineLimitHost.MaxLineBytes, Encoding.UTF8.GetByteCount(action));

        await alice.SendAsync(action);
        Assert.Equal($"[{room}] * {alice.Nick} {AtLimit[2..]}", await bob.ReadLineAsync());

        await alice.SendAsync(action + "!");
        Assert.StartsWith("! line_too_long: ", Assert.Single(await alice.SyncAsync(), l => l.StartsWith('!')));
        Assert.Empty(await bob.SyncAsync());
    }

    [Fact]
    public async Task Several_overlong_lines_in_one_write_each_get_their_error_and_good_lines_between_pass()
    {
        var (alice, bob, room) = await PairAsync();
        var payload = $"x{AtLimit}\nfirst\n{new string('y', 500)}\nsecond\r\n";

        await alice.SendRawAsync(Encoding.UTF8.GetBytes(payload));

        Assert.Equal($"[{room}] {alice.Nick}: first", await bob.ReadLineAsync());
        Assert.Equal($"[{room}] {alice.Nick}: second", await bob.ReadLineAsync());
        var replies = await alice.SyncAsync();
        Assert.Equal(2, replies.Count(l => l.StartsWith("! line_too_long: ", StringComparison.Ordinal)));
    }

    private async Task<(LineClient Alice, LineClient Bob, string Room)> PairAsync()
    {
        var room = GatewayFixture.Unique("r");
        var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        foreach (var client in new[] { alice, bob })
        {
            await client.CommandAsync("/leave lobby");
            await client.JoinAsync(room);
        }

        await alice.SyncAsync();
        await bob.SyncAsync();
        return (alice, bob, room);
    }
}
