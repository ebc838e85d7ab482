using System.Text;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>/history [N]: the exact header, the lines oldest first, the end marker; default 20, at most 200.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TcpHistoryTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task An_empty_room_has_zero_messages()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await alice.JoinAsync(room);

        Assert.Equal([$"* history of {room} (0 messages)", "* end of history"], await alice.RepliesAsync("/history"));
    }

    [Fact]
    public async Task One_message_is_singular_and_more_are_plural_with_actions_and_other_senders()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);

        await alice.CommandAsync("first");
        Assert.Equal([$"* history of {room} (1 message)", $"[{room}] {alice.Nick}: first", "* end of history"], await alice.RepliesAsync("/history"));

        await bob.CommandAsync("second");
        await alice.CommandAsync("/me waves");
        string[] expected =
        [
            $"* history of {room} (3 messages)",
            $"[{room}] {alice.Nick}: first",
            $"[{room}] {bob.Nick}: second",
            $"[{room}] * {alice.Nick} waves",
            "* end of history",
        ];
        Assert.Equal(expected, await alice.RepliesAsync("/history"));
        await bob.ReadUntilAsync($"[{room}] * {alice.Nick} waves");
        Assert.Equal(expected, await bob.RepliesAsync("/HISTORY 3"));
        Assert.Equal([expected[0].Replace("3 messages", "2 messages", StringComparison.Ordinal), .. expected[2..]], await bob.RepliesAsync("/history 2"));
    }

    [Fact]
    public async Task Default_is_the_last_20_and_more_than_200_is_capped_at_200()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await alice.JoinAsync(room);
        var burst = new StringBuilder();
        for (var i = 1; i <= 205; i++)
        {
            burst.Append("m").Append(i).Append('\n');
        }

        await alice.SendRawAsync(Encoding.UTF8.GetBytes(burst.ToString()));
        await alice.ReadUntilAsync($"[{room}] {alice.Nick}: m205");

        var last20 = await alice.RepliesAsync("/history");
        Assert.Equal(22, last20.Count);
        Assert.Equal($"* history of {room} (20 messages)", last20[0]);
        Assert.Equal(Enumerable.Range(186, 20).Select(i => $"[{room}] {alice.Nick}: m{i}"), last20[1..^1]);
        Assert.Equal("* end of history", last20[^1]);

        foreach (var n in new[] { "201", "1000", "2147483647", "99999999999999999999" })
        {
            var capped = await alice.RepliesAsync($"/history {n}");
            Assert.Equal(202, capped.Count);
            Assert.Equal($"* history of {room} (200 messages)", capped[0]);
            Assert.Equal(Enumerable.Range(6, 200).Select(i => $"[{room}] {alice.Nick}: m{i}"), capped[1..^1]);
            Assert.Equal("* end of history", capped[^1]);
        }
    }

    [Fact]
    public async Task History_text_is_sanitized_like_live_text()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var web = await Host.ConnectHubAsync(GatewayFixture.Unique("we"));
        await alice.JoinAsync(room);
        await web.InvokeAsync<object>("Join", room);

        await web.InvokeAsync<object>("Send", room, "two\nlines\u001b[0m");
        await alice.ReadUntilAsync($"[{room}] {web.Nick}: two\u2424lines\uFFFD[0m");

        Assert.Equal(
            [$"* history of {room} (1 message)", $"[{room}] {web.Nick}: two\u2424lines\uFFFD[0m", "* end of history"],
            await alice.RepliesAsync("/history 5"));
    }
}
