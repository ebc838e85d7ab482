using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>The contract's error codes as a TCP text client meets them; an error never ends the connection.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TcpErrorTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Theory]
    [InlineData("/nick 9lives", "invalid_nick")]
    [InlineData("/nick -dash", "invalid_nick")]
    [InlineData("/nick bad.nick", "invalid_nick")]
    [InlineData("/nick two words", "invalid_nick")]
    [InlineData("/nick n\u00e9e", "invalid_nick")]
    [InlineData("/nick abcdefghijklmnopqrstuvwxy", "invalid_nick")]
    [InlineData("/nick", "bad_argument")]
    [InlineData("/join bad.room", "invalid_room")]
    [InlineData("/join #", "invalid_room")]
    [InlineData("/join abcdefghijklmnopqrstuvwxyz0123456", "invalid_room")]
    [InlineData("/join", "bad_argument")]
    [InlineData("/who no-such-room-anywhere", "no_such_room")]
    [InlineData("/names bad!room", "invalid_room")]
    [InlineData("/leave no-such-room-anywhere", "no_such_room")]
    [InlineData("/part bad!room", "invalid_room")]
    [InlineData("/msg nobody-by-that-name hello", "no_such_user")]
    [InlineData("/msg", "bad_argument")]
    [InlineData("/me", "bad_argument")]
    [InlineData("/me    ", "bad_argument")]
    [InlineData("/format xml", "bad_argument")]
    [InlineData("/format", "bad_argument")]
    [InlineData("/history abc", "bad_argument")]
    [InlineData("/history 0", "bad_argument")]
    [InlineData("/history -5", "bad_argument")]
    [InlineData("/history 2.5", "bad_argument")]
    public async Task A_bad_command_gets_its_error_code_and_the_connection_stays_usable(string line, string code)
    {
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));

        await alice.ExpectErrorAsync(line, code);

        // Still connected and answering, with nothing more to say about the bad line.
        Assert.Empty(await alice.SyncAsync());
    }

    [Fact]
    public async Task Nick_taken_ignores_case_and_keeps_the_old_nick()
    {
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("Al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("Bo"));

        var error = await alice.ExpectErrorAsync($"/nick {bob.Nick.ToUpperInvariant()}", "nick_taken");

        Assert.Equal($"! nick_taken: the nick '{bob.Nick.ToUpperInvariant()}' is in use", error);
        Assert.Contains($"{alice.Nick} (tcp)", Assert.Single(await alice.RepliesAsync("/who lobby")));
    }

    [Fact]
    public async Task Nick_of_24_characters_is_valid()
    {
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        var nick = GatewayFixture.Unique("N").PadRight(24, 'z');

        await alice.SendAsync($"/nick {nick}");

        await alice.ReadUntilAsync($"[lobby] * {alice.Nick} is now known as {nick}");
    }

    [Fact]
    public async Task Leaving_a_room_one_is_not_in_is_not_in_room()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.JoinAsync(room);

        await alice.ExpectErrorAsync($"/leave {room}", "not_in_room");
        await alice.ExpectErrorAsync($"/part {room}", "not_in_room");
    }

    [Theory]
    [InlineData("", 2000, true)]
    [InlineData("", 2001, false)]
    [InlineData("/me ", 2000, true)]
    [InlineData("/me ", 2001, false)]
    public async Task A_message_is_at_most_2000_code_points_counting_an_emoji_as_one(string prefix, int count, bool accepted)
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await bob.JoinAsync(room);
        await alice.JoinAsync(room);
        await bob.SyncAsync();

        foreach (var unit in new[] { "a", "\U0001F600" })
        {
            var text = string.Concat(Enumerable.Repeat(unit, count));
            var replies = await alice.RepliesAsync($"{prefix}  {text}  ");
            var relayed = await bob.SyncAsync();
            if (accepted)
            {
                var expected = prefix.Length == 0 ? $"[{room}] {alice.Nick}: {text}" : $"[{room}] * {alice.Nick} {text}";
                Assert.Equal([expected], replies);
                Assert.Equal([expected], relayed);
            }
            else
            {
                Assert.StartsWith("! message_too_long: ", Assert.Single(replies));
                Assert.Empty(relayed);
            }
        }
    }

    [Fact]
    public async Task A_private_message_over_2000_code_points_is_refused()
    {
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));

        await alice.ExpectErrorAsync($"/msg {bob.Nick} {new string('x', 2001)}", "message_too_long");

        Assert.DoesNotContain(await bob.SyncAsync(), l => l.StartsWith("[pm]", StringComparison.Ordinal));
    }
}
