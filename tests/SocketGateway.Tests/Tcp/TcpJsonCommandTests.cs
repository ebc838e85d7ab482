using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>The same commands in json format: one object a line, with a <c>type</c>, in the hub's shapes.</summary>
[Collection(GatewayCollection.Name)]
public sealed partial class TcpJsonCommandTests(GatewayFixture fixture)
{
    private static readonly string[] MessageShape = ["account", "from", "id", "room", "text", "ts", "type", "via"];

    private GatewayHost Host => fixture.Host;

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")]
    private static partial Regex Timestamp();

    [Fact]
    public async Task Format_json_switches_the_output_and_format_text_switches_back()
    {
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));

        Assert.Equal(["{\"type\":\"info\",\"text\":\"output format is now json\"}"], await alice.RepliesAsync("/format json"));
        await alice.SendAsync("/ping");
        Assert.Equal("{\"type\":\"pong\"}", await alice.ReadUntilAsync(l => !l.Contains("\"room\":\"lobby\"", StringComparison.Ordinal)));
        Assert.Equal(["* output format is now text"], await alice.RepliesAsync("/format text"));
        Assert.Empty(await alice.SyncAsync());
    }

    [Fact]
    public async Task Messages_actions_and_presence_have_the_hub_shapes()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await alice.JoinAsync(room);
        await alice.CommandAsync("/format json");

        await bob.JoinAsync(room);
        var joined = await alice.ReadJsonAsync("joined", j => j.GetProperty("room").GetString() == room);
        Assert.Equal(["nick", "room", "type", "via"], joined.Shape());
        Assert.Equal(bob.Nick, joined.GetProperty("nick").GetString());
        Assert.Equal("tcp", joined.GetProperty("via").GetString());

        await bob.SendAsync("  hi there  ");
        var message = await alice.ReadJsonAsync("message", m => m.GetProperty("room").GetString() == room);
        Assert.Equal(MessageShape, message.Shape());
        Assert.Equal(bob.Nick, message.GetProperty("from").GetString());
        Assert.Equal("hi there", message.GetProperty("text").GetString());
        Assert.Equal("tcp", message.GetProperty("via").GetString());
        Assert.Matches(Timestamp(), message.GetProperty("ts").GetString());
        var id = message.GetProperty("id").GetInt64();

        await bob.SendAsync("/me dances");
        var action = await alice.ReadJsonAsync("action", m => m.GetProperty("room").GetString() == room);
        Assert.Equal(MessageShape, action.Shape());
        Assert.Equal("dances", action.GetProperty("text").GetString());
        Assert.True(action.GetProperty("id").GetInt64() > id);

        await bob.SendAsync($"/leave {room}");
        var left = await alice.ReadJsonAsync("left", l => l.GetProperty("room").GetString() == room);
        Assert.Equal(bob.Nick, left.GetProperty("nick").GetString());
        Assert.Equal("left", left.GetProperty("reason").GetString());

        await bob.JoinAsync(room);
        var newNick = GatewayFixture.Unique("Bob");
        await bob.SendAsync($"/nick {newNick}");
        var nick = await alice.ReadJsonAsync("nick", n => n.GetProperty("room").GetString() == room);
        Assert.Equal(["new", "old", "room", "type"], nick.Shape());
        Assert.Equal(bob.Nick, nick.GetProperty("old").GetString());
        Assert.Equal(newNick, nick.GetProperty("new").GetString());

        await bob.SendAsync("/quit gone fishing");
        var quit = await alice.ReadJsonAsync("left", l => l.GetProperty("room").GetString() == room);
        Assert.Equal(newNick, quit.GetProperty("nick").GetString());
        Assert.Equal("quit", quit.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Private_messages_info_and_errors_have_their_shapes()
    {
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var bob = await Host.ConnectTcpAsync(GatewayFixture.Unique("bo"));
        await alice.CommandAsync("/format json");

        await bob.SendAsync($"/msg {alice.Nick} psst");
        var pm = await alice.ReadJsonAsync("private");
        Assert.Equal(["from", "text", "to", "ts", "type"], pm.Shape());
        Assert.Equal(bob.Nick, pm.GetProperty("from").GetString());
        Assert.Equal(alice.Nick, pm.GetProperty("to").GetString());
        Assert.Equal("psst", pm.GetProperty("text").GetString());
        Assert.Matches(Timestamp(), pm.GetProperty("ts").GetString());

        await alice.SendAsync($"/nick {bob.Nick}");
        var error = await alice.ReadJsonAsync("error");
        Assert.Equal(["code", "text", "type"], error.Shape());
        Assert.Equal("nick_taken", error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("text").GetString()));

        foreach (var (line, code) in new[] { ("/bogus", "unknown_command"), ("/history x", "bad_argument"), ("/join a.b", "invalid_room"), ("/msg nobody-at-all hi", "no_such_user") })
        {
            await alice.SendAsync(line);
            Assert.Equal(code, (await alice.ReadJsonAsync("error")).GetProperty("code").GetString());
        }

        await alice.SendAsync("/help");
        var help = await alice.ReadJsonAsync("info");
        Assert.Equal(["text", "type"], help.Shape());
    }

    [Fact]
    public async Task Rooms_members_topic_and_history_have_their_shapes()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await using var ws = await Host.ConnectWebSocketAsync(GatewayFixture.Unique("ws"));
        await alice.JoinAsync(room);
        await ws.JoinAsync(room);
        await alice.CommandAsync("one");
        await alice.CommandAsync("/me two");
        await alice.CommandAsync("/format json");

        await alice.SendAsync("/rooms");
        var rooms = await alice.ReadJsonAsync("rooms");
        var listed = Assert.Single(rooms.GetProperty("rooms").EnumerateArray(), r => r.GetProperty("name").GetString() == room);
        Assert.Equal(["createdAt", "maxMembers", "members", "name", "private", "topic"], listed.Shape());
        Assert.Equal(2, listed.GetProperty("members").GetInt32());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("topic").ValueKind);
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("maxMembers").ValueKind);
        Assert.Matches(Timestamp(), listed.GetProperty("createdAt").GetString());
        Assert.Equal("lobby", rooms.GetProperty("rooms")[0].GetProperty("name").GetString());

        await alice.SendAsync("/names");
        var members = await alice.ReadJsonAsync("members");
        Assert.Equal(room, members.GetProperty("room").GetString());
        var list = members.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal([alice.Nick, ws.Nick], list.Select(m => m.GetProperty("nick").GetString()));
        Assert.Equal(["tcp", "ws"], list.Select(m => m.GetProperty("via").GetString()));
        Assert.All(list, m => Assert.Equal(["account", "connectedAt", "nick", "via"], m.Shape()));

        await alice.SendAsync("/topic");
        var topic = await alice.ReadJsonAsync("topic");
        Assert.Equal(["room", "topic", "type"], topic.Shape());
        Assert.Equal(room, topic.GetProperty("room").GetString());
        Assert.Equal(JsonValueKind.Null, topic.GetProperty("topic").ValueKind);

        await alice.SendAsync("/history");
        var history = await alice.ReadJsonAsync("history");
        Assert.Equal(["messages", "room", "type"], history.Shape());
        Assert.Equal(room, history.GetProperty("room").GetString());
        var messages = history.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["message", "action"], messages.Select(m => m.GetProperty("type").GetString()));
        Assert.Equal(["one", "two"], messages.Select(m => m.GetProperty("text").GetString()));
        Assert.All(messages, m => Assert.Equal(MessageShape, m.Shape()));

        await Host.SetTopicAsync(room, "json topics");
        var updated = await alice.ReadJsonAsync("room_updated");
        Assert.Equal(room, updated.GetProperty("name").GetString());
        Assert.Equal("json topics", updated.GetProperty("topic").GetString());

        await alice.SendAsync("/list");
        Assert.Equal(
            "json topics",
            Assert.Single((await alice.ReadJsonAsync("rooms")).GetProperty("rooms").EnumerateArray(), r => r.GetProperty("name").GetString() == room).GetProperty("topic").GetString());
    }

    [Fact]
    public async Task A_closed_room_is_announced_as_room_closed()
    {
        var room = GatewayFixture.Unique("r");
        await using var alice = await Host.ConnectTcpAsync(GatewayFixture.Unique("al"));
        await alice.JoinAsync(room);
        await alice.CommandAsync("/format json");

        await Host.CloseRoomAsync(room, "done here");

        var closed = await alice.ReadJsonAsync("room_closed");
        Assert.Equal(room, closed.GetProperty("room").GetString());
        Assert.Equal("done here", closed.GetProperty("reason").GetString());
    }

    /// <summary>
    /// A line client always gets its welcome in text (nothing can choose json before it is sent); the json shape
    /// of the welcome is the hub's, which is checked here on the hub itself.
    /// </summary>
    [Fact]
    public async Task The_welcome_object_has_type_nick_and_server()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(Host.HttpUri, "hubs/chat"), HttpTransportType.WebSockets, o => o.SkipNegotiation = true)
            .Build();
        await using var _ = connection;
        var welcome = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<JsonElement>("welcome", w => welcome.TrySetResult(w.Clone()));

        await connection.StartAsync().WaitAsync(Timeouts.Step);
        var payload = await welcome.Task.WaitAsync(Timeouts.Step);

        Assert.Equal(["account", "nick", "resumeToken", "server", "type"], payload.Shape());
        Assert.Matches("^[0-9a-f]{48}$", payload.GetProperty("resumeToken").GetString());
        Assert.Equal("welcome", payload.GetProperty("type").GetString());
        Assert.Equal("SocketGateway", payload.GetProperty("server").GetString());
        Assert.Matches("^guest-[0-9a-f]{4,}$", payload.GetProperty("nick").GetString());
    }
}
