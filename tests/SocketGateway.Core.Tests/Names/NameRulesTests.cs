using SocketGateway.Core.Names;

namespace SocketGateway.Core.Tests.Names;

public sealed class NameRulesTests
{
    [Theory]
    [InlineData("a", true)]
    [InlineData("alice", true)]
    [InlineData("Bob_the-2nd", true)]
    [InlineData("abcdefghijklmnopqrstuvwx", true)]
    [InlineData("abcdefghijklmnopqrstuvwxy", false)]
    [InlineData("", false)]
    [InlineData("1alice", false)]
    [InlineData("_alice", false)]
    [InlineData("al ice", false)]
    [InlineData("al\u00efce", false)]
    [InlineData("alice!", false)]
    public void Nick_rules(string nick, bool valid) => Assert.Equal(valid, NickName.IsValid(nick));

    [Theory]
    [InlineData("lobby", "lobby")]
    [InlineData("#Dev", "dev")]
    [InlineData("DEV_ops-2", "dev_ops-2")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345")]
    public void Room_names_are_normalized(string input, string expected)
    {
        Assert.True(RoomName.TryNormalize(input, out var name));
        Assert.Equal(expected, name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("#")]
    [InlineData("##dev")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("../etc")]
    [InlineData("a b")]
    [InlineData("room\0")]
    [InlineData("r*")]
    [InlineData("caf\u00e9")]
    public void Invalid_room_names_are_refused(string input)
    {
        Assert.False(RoomName.TryNormalize(input, out _));
        Assert.Equal(ErrorCodes.InvalidRoom, Assert.Throws<ChatException>(() => RoomName.Require(input)).Code);
    }

    [Fact]
    public void Message_text_is_trimmed_and_counted_in_code_points()
    {
        Assert.Equal("hi there", MessageText.Normalize("\u3000 hi there\t\u2028"));
        var twoThousandEmoji = string.Concat(Enumerable.Repeat("\ud83d\ude00", 2000));
        Assert.Equal(twoThousandEmoji, MessageText.Normalize(twoThousandEmoji));
        Assert.Equal(ErrorCodes.MessageTooLong, Assert.Throws<ChatException>(() => MessageText.Normalize(twoThousandEmoji + "a")).Code);
        Assert.Equal(ErrorCodes.BadArgument, Assert.Throws<ChatException>(() => MessageText.Normalize(" \u00a0\u2003 ")).Code);
    }

    [Fact]
    public void Topics_refuse_control_characters_and_excess_length()
    {
        Assert.Null(TopicText.Normalize("   "));
        Assert.Equal("General chat", TopicText.Normalize(" General chat "));
        Assert.Equal(ErrorCodes.BadArgument, Assert.Throws<ChatException>(() => TopicText.Normalize("a\u001bb")).Code);
        Assert.Equal(ErrorCodes.BadArgument, Assert.Throws<ChatException>(() => TopicText.Normalize(new string('t', 201))).Code);
    }
}
