using System.Text.Json;
using SocketGateway.Tests.Api;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Hubs;

/// <summary>Join, Leave, ListRooms and ListMembers.</summary>
[Collection(GatewayCollection.Name)]
public sealed class HubRoomTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Join_returns_the_room_and_members_see_the_joined_event()
    {
        var room = GatewayFixture.Unique("r");
        await using var first = await Host.ConnectHubAsync(GatewayFixture.Unique("first"));
        await using var second = await Host.ConnectHubAsync(GatewayFixture.Unique("second"));

        var created = await first.InvokeAsync<JsonElement>("Join", "#" + room.ToUpperInvariant());
        Assert.Equal(room, created.GetProperty("name").GetString());
        Assert.Equal(1, created.GetProperty("members").GetInt32());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("topic").ValueKind);
        Assert.Equal(JsonValueKind.Null, created.GetProperty("maxMembers").ValueKind);
        ApiAssert.Timestamp(created.GetProperty("createdAt"));

        var joined = await second.InvokeAsync<JsonElement>("Join", room);
        Assert.Equal(2, joined.GetProperty("members").GetInt32());
        Assert.Equal(created.GetProperty("createdAt").GetString(), joined.GetProperty("createdAt").GetString());

        var notice = await first.NextAsync("joined", e => e.GetProperty("nick").GetString() == second.Nick);
        Assert.Equal("joined", notice.GetProperty("type").GetString());
        Assert.Equal(room, notice.GetProperty("room").GetString());
        Assert.Equal("web", notice.GetProperty("via").GetString());

        // Joining again changes nothing.
        Assert.Equal(2, (await second.InvokeAsync<JsonElement>("Join", room)).GetProperty("members").GetInt32());
    }

    [Fact]
    public async Task Leave_removes_the_member_and_tells_the_room()
    {
        var room = GatewayFixture.Unique("r");
        await using var stayer = await Host.ConnectHubAsync(GatewayFixture.Unique("stay"));
        await using var leaver = await Host.ConnectHubAsync(GatewayFixture.Unique("leave"));
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await stayer.InvokeAsync<JsonElement>("Join", room);
        await leaver.InvokeAsync<JsonElement>("Join", room);
        await tcp.SendAsync($"/join {room}");
        await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");

        await leaver.InvokeAsync("Leave", room);

        var left = await stayer.NextAsync("left", e => e.GetProperty("nick").GetString() == leaver.Nick);
        Assert.Equal("left", left.GetProperty("type").GetString());
        Assert.Equal(room, left.GetProperty("room").GetString());
        Assert.Equal("left", left.GetProperty("reason").GetString());
        await tcp.ReadUntilAsync($"[{room}] <- {leaver.Nick} left");
        var members = await stayer.InvokeAsync<JsonElement>("ListMembers", room);
        Assert.False(ApiAssert.Contains(members, "nick", leaver.Nick));

        await HubAssert.FailsAsync("not_in_room", () => leaver.InvokeAsync("Leave", room));
        await HubAssert.FailsAsync("not_in_room", () => leaver.InvokeAsync<JsonElement>("Send", room, "still here?"));
    }

    [Fact]
    public async Task ListRooms_returns_every_room_object()
    {
        var room = GatewayFixture.Unique("r");
        await using var web = await Host.ConnectHubAsync();
        await web.InvokeAsync<JsonElement>("Join", room);

        var rooms = await web.InvokeAsync<JsonElement>("ListRooms");

        Assert.Equal(JsonValueKind.Array, rooms.ValueKind);
        Assert.True(ApiAssert.Contains(rooms, "name", "lobby"));
        var mine = ApiAssert.Find(rooms, "name", room);
        Assert.Equal(1, mine.GetProperty("members").GetInt32());
        Assert.Equal(["createdAt", "maxMembers", "members", "name", "private", "topic"], mine.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListMembers_works_for_rooms_one_is_not_in()
    {
        var room = GatewayFixture.Unique("r");
        await using var member = await Host.ConnectHubAsync(GatewayFixture.Unique("member"));
        await using var tcp = await Host.ConnectTcpAsync(GatewayFixture.Unique("tcp"));
        await using var outsider = await Host.ConnectHubAsync();
        await member.InvokeAsync<JsonElement>("Join", room);
        await tcp.SendAsync($"/join {room}");
        await tcp.ReadUntilAsync($"[{room}] -> {tcp.Nick} joined (tcp)");

        var members = await outsider.InvokeAsync<JsonElement>("ListMembers", room.ToUpperInvariant());

        Assert.Equal(2, members.GetArrayLength());
        Assert.Equal("web", ApiAssert.Find(members, "nick", member.Nick).GetProperty("via").GetString());
        Assert.Equal("tcp", ApiAssert.Find(members, "nick", tcp.Nick).GetProperty("via").GetString());
        Assert.All(members.EnumerateArray(), m => ApiAssert.Timestamp(m.GetProperty("connectedAt")));
    }
}
