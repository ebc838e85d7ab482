using SocketGateway.Core.Protocol;

namespace SocketGateway.Core.Tests.Protocol;

public sealed class TextSanitizerTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("a\r\nb", "a\u2424b")]
    [InlineData("a\rb\nc", "a\u2424b\u2424c")]
    [InlineData("a\n\r\nb", "a\u2424\u2424b")]
    [InlineData("a\r\rb", "a\u2424\u2424b")]
    [InlineData("x\u0085y\u2028z\u2029w", "x\u2424y\u2424z\u2424w")]
    [InlineData("tab\there", "tab here")]
    [InlineData("\u001b[31mred\u001b[0m", "\ufffd[31mred\ufffd[0m")]
    [InlineData("nul\0bel\u0007del\u007f", "nul\ufffdbel\ufffddel\ufffd")]
    [InlineData("c1\u009b2J\u0080", "c1\ufffd2J\ufffd")]
    [InlineData("emoji \ud83d\ude00 stays", "emoji \ud83d\ude00 stays")]
    public void Relayed_text_is_made_safe_for_a_terminal(string input, string expected)
    {
        Assert.Equal(expected, TextSanitizer.Sanitize(input));
    }

    [Fact]
    public void Clean_text_is_returned_as_is_without_a_copy()
    {
        const string clean = "nothing to do here \u00e9";
        Assert.Same(clean, TextSanitizer.Sanitize(clean));
    }

    [Fact]
    public void Every_control_character_is_replaced()
    {
        for (var c = '\0'; c <= '\u009f'; c++)
        {
            var output = TextSanitizer.Sanitize($"a{c}b");
            Assert.True(output.Length == 3 && !char.IsControl(output[1]), $"U+{(int)c:X4} became '{output}'");
        }
    }
}
