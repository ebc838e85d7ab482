using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using SocketGateway.Tests.Identity;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.Cluster;

/// <summary>Private rooms, invites, operators and bans hold on every node of a cluster.</summary>
public sealed class CrossNodeAccessTests
{
    [Fact]
    public async Task A_private_room_and_its_invite_made_on_one_node_hold_on_the_other_and_a_ban_there_reaches_a_browser_here()
    {
        await using var cluster = await TwoNodes.StartAsync();
        using var onA = TwoNodes.Http(cluster.A);
        using var onB = TwoNodes.Http(cluster.B);
        Assert.Equal(HttpStatusCode.Created, (await onA.PostAsJsonAsync("api/rooms", new { name = "staff", @private = true })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await onA.PutAsync("api/rooms/staff/invites/u-bob", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await onA.PutAsync("api/rooms/staff/operators/u-op", null)).StatusCode);
        // Node B applies both in the room's order; wait for the later one there.
        using var adminOnB = TwoNodes.Http(cluster.B);
        adminOnB.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Hs256("root", claims: new Dictionary<string, object> { ["role"] = "admin" }));
        await WaitUntilAsync(async () => (await adminOnB.GetFromJsonAsync<string[]>("api/rooms/staff/operators"))!.Contains("u-op"));

        var bob = await cluster.SignedInHubAsync(cluster.B, TestTokens.Hs256("u-bob", name: "bob"));
        await bob.InvokeAsync<JsonElement>("Join", "staff");
        var guest = await cluster.TcpAsync(cluster.B, "gus");
        await guest.ExpectErrorAsync("/join staff", "forbidden");
        Assert.DoesNotContain((await onB.GetFromJsonAsync<JsonElement>("api/rooms")).EnumerateArray(), r => r.GetProperty("name").GetString() == "staff");
        Assert.Equal(HttpStatusCode.NotFound, (await onB.GetAsync("api/rooms/staff/members")).StatusCode);

        var op = await PrivateRoomTests.SignedInAsync(await cluster.A.ConnectTcpAsync(), TestTokens.Hs256("u-op", name: "olga"), "olga");
        await op.JoinAsync("staff");
        await op.SendAsync("/ban bob");
        var left = await bob.NextAsync("left", l => l.GetProperty("room").GetString() == "staff");
        Assert.Equal("kicked", left.GetProperty("reason").GetString());
        await op.ReadUntilAsync("[staff] <- bob left (kicked: banned)");
        Assert.Contains("forbidden", (await Assert.ThrowsAsync<HubException>(() => bob.InvokeAsync<JsonElement>("Join", "staff"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paging_forward_on_either_node_gets_the_messages_of_both_once_and_in_order()
    {
        await using var cluster = await TwoNodes.StartAsync();
        using var onA = TwoNodes.Http(cluster.A);
        using var onB = TwoNodes.Http(cluster.B);
        var ids = new List<long>();
        for (var i = 0; i < 40; i++)
        {
            // Each post is committed to the shared store before it is answered (201).
            var posted = await (i % 2 == 0 ? onA : onB).PostAsJsonAsync("api/rooms/lobby/messages", new { from = "bot", text = $"m{i}" });
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
            ids.Add((await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }

        foreach (var node in new[] { onA, onB })
        {
            var seen = new List<long>();
            var after = 0L;
            while (true)
            {
                var page = (await node.GetFromJsonAsync<JsonElement>($"api/rooms/lobby/messages?after={after}&limit=15")).EnumerateArray()
                    .Select(m => m.GetProperty("id").GetInt64()).ToList();
                seen.AddRange(page);
                if (page.Count < 15)
                {
                    break;
                }

                after = page[^1];
            }

            Assert.Equal(ids.Order(), seen);
        }
    }

    // Grants reach the other node through the bus, a moment after the REST call returns: polled, there is no event.
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Step);
        while (!await condition())
        {
            await Task.Delay(25, timeout.Token);
        }
    }
}
