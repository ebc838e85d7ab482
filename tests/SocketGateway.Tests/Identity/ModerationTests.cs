using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;
using static SocketGateway.Tests.Identity.PrivateRoomTests;

namespace SocketGateway.Tests.Identity;

/// <summary>Contract, "Identity and access": operators and admins moderate from every transport; bans hold across sessions.</summary>
public sealed class ModerationTests
{
    [Fact]
    public async Task An_operator_sets_the_topic_kicks_and_bans_from_tcp_and_others_are_forbidden_on_every_transport()
    {
        await using var host = await GatewayHost.StartAsync(Settings());
        using var admin = Admin(host);
        var op = await SignedInAsync(await host.ConnectTcpAsync(), TestTokens.Hs256("u-op", name: "olga"), "olga");
        await op.JoinAsync("ops");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync("api/rooms/ops/operators/u-op", null)).StatusCode);
        var bobToken = TestTokens.Hs256("u-bob", name: "bob");
        var bob = await SignedInAsync(await host.ConnectWebSocketAsync(), bobToken, "bob");
        await bob.JoinAsync("ops");
        var guest = await host.ConnectTcpAsync("gus");
        await guest.JoinAsync("ops");
        var carol = await host.ConnectHubAsync(token: TestTokens.Hs256("u-carol", name: "carol"));
        await carol.InvokeAsync<JsonElement>("Join", "ops");

        // Not operators: refused, whatever the transport.
        await guest.ExpectErrorAsync("/kick bob", "forbidden");
        await guest.ExpectErrorAsync("/topic mine now", "forbidden");
        await bob.ExpectErrorAsync("/ban gus", "forbidden");
        Assert.Contains("forbidden", (await Assert.ThrowsAsync<HubException>(() => carol.InvokeAsync<JsonElement>("SetTopic", "ops", "mine"))).Message, StringComparison.Ordinal);
        Assert.Contains("forbidden", (await Assert.ThrowsAsync<HubException>(() => carol.InvokeAsync("Kick", "ops", "bob", null))).Message, StringComparison.Ordinal);

        // The operator's topic reaches every member; `/topic` alone still shows it.
        await op.SendAsync("/topic Release day");
        await guest.ReadUntilAsync("* topic of ops: Release day");
        await carol.NextAsync("roomUpdated", r => r.GetProperty("topic").GetString() == "Release day");
        Assert.Contains("* topic of ops: Release day", await guest.RepliesAsync("/topic"));

        // A kick with a reason: the member is told, the others see why; it may come back.
        await op.SendAsync("/kick bob spamming");
        await bob.ReadUntilAsync("* you were removed from ops");
        await guest.ReadUntilAsync("[ops] <- bob left (kicked: spamming)");
        await bob.JoinAsync("ops");

        // A ban: by account (every session of it, for good) and a guest by its connection.
        var bobOnHub = await host.ConnectHubAsync(token: bobToken);
        await op.SendAsync("/ban bob");
        await bob.ReadUntilAsync("* you were removed from ops");
        await guest.ReadUntilAsync("[ops] <- bob left (kicked: banned)");
        await bob.ExpectErrorAsync("/join ops", "forbidden");
        Assert.Contains("forbidden", (await Assert.ThrowsAsync<HubException>(() => bobOnHub.InvokeAsync<JsonElement>("Join", "ops"))).Message, StringComparison.Ordinal);
        Assert.Equal(["u-bob"], (await admin.GetFromJsonAsync<string[]>("api/rooms/ops/bans"))!);

        await op.SendAsync("/ban gus");
        await guest.ReadUntilAsync("* you were removed from ops");
        await guest.ExpectErrorAsync("/join ops", "forbidden");
        await guest.DisposeAsync();
        var guestAgain = await host.ConnectTcpAsync("gus");
        await guestAgain.JoinAsync("ops");

        // Lifted through REST; an operator made through REST moderates from the hub.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("api/rooms/ops/bans/u-bob")).StatusCode);
        await bob.JoinAsync("ops");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync("api/rooms/ops/operators/u-carol", null)).StatusCode);
        await carol.InvokeAsync("Kick", "ops", "gus", "bye");
        await guestAgain.ReadUntilAsync("* you were removed from ops");
        var topic = await carol.InvokeAsync<JsonElement>("SetTopic", "ops", "Carol's now");
        Assert.Equal("Carol's now", topic.GetProperty("topic").GetString());
        Assert.Equal(["u-carol", "u-op"], (await admin.GetFromJsonAsync<string[]>("api/rooms/ops/operators"))!);
    }

    [Fact]
    public async Task An_admin_token_moderates_any_room_and_a_rest_ban_removes_a_browser_at_once()
    {
        await using var host = await GatewayHost.StartAsync(Settings());
        using var admin = Admin(host);
        var root = await SignedInAsync(await host.ConnectWebSocketAsync(), TestTokens.Hs256("u-root", name: "root", claims: new Dictionary<string, object> { ["role"] = "admin" }), "root");
        var dave = await host.ConnectHubAsync(token: TestTokens.Hs256("u-dave", name: "dave"));
        await dave.InvokeAsync<JsonElement>("Join", "lounge");
        await root.JoinAsync("lounge");
        await root.SendAsync("/topic Admins may");
        await dave.NextAsync("roomUpdated", r => r.GetProperty("topic").GetString() == "Admins may");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync("api/rooms/lounge/bans/u-dave", null)).StatusCode);
        var left = await dave.NextAsync("left", l => l.GetProperty("room").GetString() == "lounge");
        Assert.Equal(("dave", "kicked"), (left.GetProperty("nick").GetString(), left.GetProperty("reason").GetString()));
        await root.ReadUntilAsync("[lounge] <- dave left (kicked: banned)");

        // Bad requests are problems with the contract's codes; a grant for a missing room is 404.
        using var anonymous = host.CreateHttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsync("api/rooms/lounge/bans/u-x", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsync("api/rooms/nowhere/invites/u-x", null)).StatusCode);
        var tooLong = await admin.PutAsync($"api/rooms/lounge/invites/{new string('a', 300)}", null);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal("bad_argument", (await tooLong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }
}
