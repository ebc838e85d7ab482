using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using SocketGateway.Tests.Infrastructure;
using SocketGateway.Tests.Tcp;

namespace SocketGateway.Tests.Identity;

/// <summary>
/// Contract, "Identity and access": private rooms admit the accounts their token lists or REST invited, and do not
/// exist for anyone else — not in lists, members, history, users or metrics — on any transport, also after a restart.
/// </summary>
public sealed class PrivateRoomTests
{
    public const string AdminKey = "an admin key for the tests";

    public static Dictionary<string, string?> Settings(string? database = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Auth:SigningKey"] = TestTokens.SigningKey,
            ["Gateway:AdminApiKey"] = AdminKey,
        };
        if (database is not null)
        {
            settings["ConnectionStrings:Gateway"] = database;
        }

        return settings;
    }

    public static HttpClient Admin(GatewayHost host)
    {
        var http = host.CreateHttpClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return http;
    }

    public static async Task<LineClient> SignedInAsync(LineClient client, string token, string nick)
    {
        await client.ReadWelcomeAsync();
        await client.SendAsync("/auth " + token);
        await client.ReadUntilAsync(l => l.StartsWith($"* signed in as {nick} ", StringComparison.Ordinal));
        client.Nick = nick;
        return client;
    }

    [Fact]
    public async Task A_private_room_admits_listed_and_invited_accounts_only_and_is_invisible_to_everyone_else_until_after_a_restart()
    {
        var database = GatewayHost.NewDatabase(out var path);
        try
        {
            await using (var host = await GatewayHost.StartAsync(Settings(database)))
            {
                using var admin = Admin(host);
                var created = await admin.PostAsJsonAsync("api/rooms", new { name = "staff", topic = "staff only", @private = true });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                Assert.True((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("private").GetBoolean());
                Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync("api/rooms/staff/invites/u-bob", null)).StatusCode);

                var alice = await SignedInAsync(await host.ConnectTcpAsync(), TestTokens.Hs256("u-alice", name: "alice", claims: Rooms("staff")), "alice");
                await alice.JoinAsync("staff");
                var bob = await SignedInAsync(await host.ConnectWebSocketAsync(), TestTokens.Hs256("u-bob", name: "bob"), "bob");
                await bob.JoinAsync("staff");
                await alice.SendAsync("secret plans");
                await bob.ReadUntilAsync("[staff] alice: secret plans");

                // A guest and an account without the room: refused, and the room is nowhere for them.
                var guest = await host.ConnectTcpAsync("gus");
                await guest.ExpectErrorAsync("/join staff", "forbidden");
                await guest.ExpectErrorAsync("/who staff", "no_such_room");
                Assert.DoesNotContain(await guest.RepliesAsync("/rooms"), l => l.Contains("staff", StringComparison.Ordinal));
                var carol = await host.ConnectHubAsync(token: TestTokens.Hs256("u-carol", name: "carol"));
                Assert.Contains("forbidden", (await Assert.ThrowsAsync<HubException>(() => carol.InvokeAsync<JsonElement>("Join", "staff"))).Message, StringComparison.Ordinal);
                Assert.DoesNotContain((await carol.InvokeAsync<JsonElement>("ListRooms")).EnumerateArray(), r => r.GetProperty("name").GetString() == "staff");
                Assert.Contains("no_such_room", (await Assert.ThrowsAsync<HubException>(() => carol.InvokeAsync<JsonElement>("ListMembers", "staff"))).Message, StringComparison.Ordinal);
                Assert.Contains("no_such_room", (await Assert.ThrowsAsync<HubException>(() => carol.InvokeAsync<JsonElement>("History", "staff", 10))).Message, StringComparison.Ordinal);
                Assert.Contains("no_such_room", (await Assert.ThrowsAsync<HubException>(() => carol.InvokeAsync<JsonElement>("Send", "staff", "hello?"))).Message, StringComparison.Ordinal);
                Assert.Contains("no_such_room", (await Assert.ThrowsAsync<HubException>(() => carol.InvokeAsync("Leave", "staff"))).Message, StringComparison.Ordinal);

                // REST without a key or token (loopback included), and /metrics.
                using var anonymous = host.CreateHttpClient();
                Assert.DoesNotContain((await anonymous.GetFromJsonAsync<JsonElement>("api/rooms")).EnumerateArray(), r => r.GetProperty("name").GetString() == "staff");
                foreach (var hiddenPath in new[] { "api/rooms/staff", "api/rooms/staff/members", "api/rooms/staff/messages" })
                {
                    var hidden = await anonymous.GetAsync(hiddenPath);
                    Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
                    Assert.Equal("no_such_room", (await hidden.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
                }

                Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/rooms/staff/invites")).StatusCode); // loopback is no admin for reads
                var users = await anonymous.GetFromJsonAsync<JsonElement>("api/users");
                Assert.DoesNotContain(users.EnumerateArray().SelectMany(u => u.GetProperty("rooms").EnumerateArray()), r => r.GetString() == "staff");
                Assert.DoesNotContain("staff", await anonymous.GetStringAsync("metrics"), StringComparison.Ordinal);

                // Who may join sees it: a member's /rooms, a token on REST, the admin key.
                Assert.Contains(await alice.RepliesAsync("/rooms"), l => l.Contains("staff (2) \"staff only\"", StringComparison.Ordinal));
                using var asAlice = host.CreateHttpClient();
                asAlice.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Hs256("u-alice", claims: Rooms("staff")));
                Assert.Equal("secret plans", (await asAlice.GetFromJsonAsync<JsonElement>("api/rooms/staff/messages")).EnumerateArray().Single().GetProperty("text").GetString());
                Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>("api/rooms/staff")).GetProperty("members").GetInt32());
                Assert.Equal(["u-bob"], (await admin.GetFromJsonAsync<string[]>("api/rooms/staff/invites"))!);
                using var badToken = host.CreateHttpClient();
                badToken.DefaultRequestHeaders.Authorization = new("Bearer", "not.a.token");
                Assert.Equal(HttpStatusCode.Unauthorized, (await badToken.GetAsync("api/rooms")).StatusCode);
            }

            // Stored: the flag and the invite outlive a restart.
            await using var restarted = await GatewayHost.StartAsync(Settings(database));
            var bobAgain = await SignedInAsync(await restarted.ConnectTcpAsync(), TestTokens.Hs256("u-bob", name: "bob"), "bob");
            await bobAgain.JoinAsync("staff");
            var guestAgain = await restarted.ConnectTcpAsync("gus");
            await guestAgain.ExpectErrorAsync("/join staff", "forbidden");
            using var anonymousAgain = restarted.CreateHttpClient();
            Assert.Equal(HttpStatusCode.NotFound, (await anonymousAgain.GetAsync("api/rooms/staff")).StatusCode);

            // An invite withdrawn: no new joins.
            using var adminAgain = Admin(restarted);
            Assert.Equal(HttpStatusCode.NoContent, (await adminAgain.DeleteAsync("api/rooms/staff/invites/u-bob")).StatusCode);
            var bobThird = await SignedInAsync(await restarted.ConnectWebSocketAsync(), TestTokens.Hs256("u-bob", name: "bob"), "bob");
            await bobThird.ExpectErrorAsync("/join staff", "forbidden");
        }
        finally
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    public static Dictionary<string, object> Rooms(params string[] rooms) => new() { ["rooms"] = rooms };
}
