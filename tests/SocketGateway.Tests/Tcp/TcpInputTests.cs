using System.Text;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>However the bytes arrive (one at a time, split inside a character, far too many), lines come out right.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TcpInputTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Input_sent_one_byte_at_a_time_is_read_as_the_same_lines()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.JoinAsync(room);
        alice.Tcp!.NoDelay = true;

        const string text = "h\u00e9llo w\u00f6rld \u20ac \U0001F600 \u65e5\u672c";
        foreach (var b in Encoding.UTF8.GetBytes($"/join {room}\r\n{text}\r\n/me waves\n"))
        {
            await alice.SendRawAsync(new[] { b });
        }

        await bob.ReadUntilAsync($"[{room}] -> {alice.Nick} joined (tcp)");
        Assert.Equal($"[{room}] {alice.Nick}: {text}", await bob.ReadLineAsync());
        Assert.Equal($"[{room}] * {alice.Nick} waves", await bob.ReadLineAsync());
    }

    [Fact]
    public async Task A_line_split_at_every_byte_position_including_inside_characters_arrives_whole()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.JoinAsync(room);
        await alice.JoinAsync(room);
        alice.Tcp!.NoDelay = true;
        await bob.SyncAsync();

        const string text = "\u00e9\u20ac\U0001F600\u65e5";
        var bytes = Encoding.UTF8.GetBytes(text + "\n");
        for (var split = 1; split < bytes.Length; split++)
        {
            await alice.SendRawAsync(bytes.AsMemory(0, split));
            await alice.SendRawAsync(bytes.AsMemory(split));
            Assert.Equal($"[{room}] {alice.Nick}: {text}", await bob.ReadLineAsync());
        }
    }

    public static readonly TheoryData<byte[]> InvalidUtf8 = new()
    {
        new byte[] { (byte)'b', (byte)'a', (byte)'d', 0xFF, (byte)'!' },
        new byte[] { 0xC0, 0xAF },
        new byte[] { (byte)'x', 0xE2, 0x82 },
        new byte[] { 0xED, 0xA0, 0x80 },
        new byte[] { 0xF4, 0x90, 0x80, 0x80 },
        new byte[] { 0x80, (byte)'x' },
        new byte[] { (byte)'/', (byte)'n', (byte)'i', (byte)'c', (byte)'k', (byte)' ', 0xFE },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public async Task A_line_that_is_not_valid_utf8_is_refused_and_the_connection_stays_usable(byte[] line)
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.JoinAsync(room);
        await alice.JoinAsync(room);
        await bob.SyncAsync();

        await alice.SendRawAsync((byte[])[.. line, (byte)'\n']);

        Assert.StartsWith("! bad_argument: ", Assert.Single(await alice.SyncAsync()));
        Assert.Empty(await bob.SyncAsync());
        await alice.SendAsync("valid again \u00e9");
        Assert.Equal($"[{room}] {alice.Nick}: valid again \u00e9", await bob.ReadLineAsync());
    }

    [Fact]
    public async Task A_100_KiB_line_without_a_newline_hurts_nobody_and_is_refused_once()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await using var carol = await Host.ConnectWebSocketAsync(GatewayFixture.Unique("ca"));
        foreach (var client in new[] { bob, carol, alice })
        {
            await client.JoinAsync(room);
        }

        await bob.SyncAsync();
        await carol.SyncAsync();
        await alice.SyncAsync();

        await alice.SendRawAsync(Encoding.ASCII.GetBytes(new string('x', 100 * 1024)));
        await bob.SendAsync("still chatting");
        Assert.Equal($"[{room}] {bob.Nick}: still chatting", await carol.ReadLineAsync());
        await carol.SendAsync("me too");
        Assert.Equal($"[{room}] {carol.Nick}: me too", await bob.ReadUntilAsync(l => l.Contains("me too", StringComparison.Ordinal)));

        await alice.SendRawAsync("more x without end\n"u8.ToArray());
        var seen = await alice.SyncAsync();
        Assert.Single(seen, l => l.StartsWith("! line_too_long: ", StringComparison.Ordinal));
        Assert.Contains($"[{room}] {bob.Nick}: still chatting", seen);
        Assert.Contains($"[{room}] {carol.Nick}: me too", seen);

        await alice.SendAsync("back to normal");
        await carol.ReadUntilAsync($"[{room}] {alice.Nick}: back to normal");
        Assert.Equal([$"[{room}] {alice.Nick}: back to normal"], await alice.SyncAsync());
    }
}
