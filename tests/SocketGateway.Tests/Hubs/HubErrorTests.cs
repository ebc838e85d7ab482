using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Hubs;

/// <summary>Each hub method refuses with a HubException that carries the contract's code.</summary>
[Collection(GatewayCollection.Name)]
public sealed class HubErrorTests(GatewayFixture fixture)
{
    private static readonly string Emoji = char.ConvertFromUtf32(0x1F600);

    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Unknown_rooms_are_no_such_room()
    {
        var room = GatewayFixture.Unique("nope");
        await using var web = await Host.ConnectHubAsync();
        await HubAssert.FailsAsync("no_such_room", () => web.InvokeAsync<JsonElement>("Send", room, "hi"));
        await HubAssert.FailsAsync("no_such_room", () => web.InvokeAsync<JsonElement>("SendAction", room, "hi"));
        await HubAssert.FailsAsync("no_such_room", () => web.InvokeAsync("Leave", room));
        await HubAssert.FailsAsync("no_such_room", () => web.InvokeAsync<JsonElement>("ListMembers", room));
        await HubAssert.FailsAsync("no_such_room", () => web.InvokeAsync<JsonElement>("History", room, 10));
    }

    [Fact]
    public async Task Invalid_room_names_are_invalid_room()
    {
        await using var web = await Host.ConnectHubAsync();
        await HubAssert.FailsAsync("invalid_room", () => web.InvokeAsync<JsonElement>("Join", "no spaces"));
        await HubAssert.FailsAsync("invalid_room", () => web.InvokeAsync<JsonElement>("Join", new string('a', 33)));
        await HubAssert.FailsAsync("invalid_room", () => web.InvokeAsync<JsonElement>("ListMembers", "bad!"));
    }

    [Fact]
    public async Task Sending_to_a_room_one_is_not_in_is_not_in_room()
    {
        var room = GatewayFixture.Unique("r");
        await using var member = await Host.ConnectHubAsync();
        await using var outsider = await Host.ConnectHubAsync();
        await member.InvokeAsync<JsonElement>("Join", room);

        await HubAssert.FailsAsync("not_in_room", () => outsider.InvokeAsync<JsonElement>("Send", room, "let me in"));
        await HubAssert.FailsAsync("not_in_room", () => outsider.InvokeAsync<JsonElement>("SendAction", room, "knocks"));
        await HubAssert.FailsAsync("not_in_room", () => outsider.InvokeAsync("Leave", room));

        var history = await member.InvokeAsync<JsonElement>("History", room, 10);
        Assert.Equal(0, history.GetArrayLength());
    }

    [Fact]
    public async Task A_private_message_to_nobody_is_no_such_user()
    {
        await using var web = await Host.ConnectHubAsync();
        await HubAssert.FailsAsync("no_such_user", () => web.InvokeAsync<JsonElement>("SendPrivate", GatewayFixture.Unique("ghost"), "hello?"));
    }

    [Fact]
    public async Task Text_longer_than_2000_code_points_is_message_too_long()
    {
        var room = GatewayFixture.Unique("r");
        await using var web = await Host.ConnectHubAsync();
        await using var peer = await Host.ConnectHubAsync();
        await web.InvokeAsync<JsonElement>("Join", room);
        var tooLong = string.Concat(Enumerable.Repeat(Emoji, 2001));

        await HubAssert.FailsAsync("message_too_long", () => web.InvokeAsync<JsonElement>("Send", room, tooLong));
        await HubAssert.FailsAsync("message_too_long", () => web.InvokeAsync<JsonElement>("SendAction", room, tooLong));
        await HubAssert.FailsAsync("message_too_long", () => web.InvokeAsync<JsonElement>("SendPrivate", peer.Nick, tooLong));

        var atLimit = string.Concat(Enumerable.Repeat(Emoji, 2000));
        Assert.Equal(atLimit, (await web.InvokeAsync<JsonElement>("Send", room, atLimit)).GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\r\n\u2028\u3000")]
    public async Task Empty_text_is_bad_argument(string text)
    {
        var room = GatewayFixture.Unique("r");
        await using var web = await Host.ConnectHubAsync();
        await using var peer = await Host.ConnectHubAsync();
        await web.InvokeAsync<JsonElement>("Join", room);

        await HubAssert.FailsAsync("bad_argument", () => web.InvokeAsync<JsonElement>("Send", room, text));
        await HubAssert.FailsAsync("bad_argument", () => web.InvokeAsync<JsonElement>("SendAction", room, text));
        await HubAssert.FailsAsync("bad_argument", () => web.InvokeAsync<JsonElement>("SendPrivate", peer.Nick, text));
    }

    [Fact]
    public async Task A_history_limit_below_one_is_bad_argument()
    {
        await using var web = await Host.ConnectHubAsync();
        await HubAssert.FailsAsync("bad_argument", () => web.InvokeAsync<JsonElement>("History", "lobby", 0));
        await HubAssert.FailsAsync("bad_argument", () => web.InvokeAsync<JsonElement>("History", "lobby", -5));
    }
}
