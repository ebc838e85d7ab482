using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Storage;

/// <summary>The whole gateway on <c>Gateway:Storage:Provider=postgres</c>, over a real PostgreSQL database of its own.</summary>
public sealed class PostgresGatewayTests : IAsyncLifetime
{
    private PostgresServer _server = null!;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.GetAsync();
        _database = await _server.CreateDatabaseAsync();
    }

    public Task DisposeAsync() => _server.DropDatabaseAsync(_database);

    private Dictionary<string, string?> Settings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Storage:Provider"] = "postgres",
            ["ConnectionStrings:Gateway"] = _database,
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task A_gateway_on_postgres_serves_chat_and_its_rooms_and_history_survive_a_restart()
    {
        long lastId;
        await using (var first = await GatewayHost.StartAsync(Settings()))
        {
            using var http = first.CreateHttpClient();
            var created = await http.PostAsJsonAsync("api/rooms", new { name = "keep", topic = "Kept topic", maxMembers = 7 });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

            await using var tcp = await first.ConnectTcpAsync("keeper");
            await using var web = await first.ConnectHubAsync("watcher");
            await web.InvokeAsync<JsonElement>("Join", "keep");
            await tcp.SendAsync("/join keep");
            for (var i = 1; i <= 5; i++)
            {
                await tcp.SendAsync($"message {i}");
            }

            await tcp.ReadUntilAsync("[keep] keeper: message 5");
            var seen = await web.NextAsync("message", m => m.GetProperty("text").GetString() == "message 5");
            var posted = await http.PostAsJsonAsync("api/rooms/keep/messages", new { text = "committed before 201" });
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
            lastId = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            Assert.True(lastId > seen.GetProperty("id").GetInt64());
        }

        // The rows are in PostgreSQL itself, not only in the gateway that wrote them.
        Assert.Equal(6L, await ScalarAsync("SELECT COUNT(*) FROM messages WHERE room = 'keep'"));

        await using var second = await GatewayHost.StartAsync(Settings());
        using (var http = second.CreateHttpClient())
        {
            var room = await http.GetFromJsonAsync<JsonElement>("api/rooms/keep");
            Assert.Equal(("Kept topic", 7), (room.GetProperty("topic").GetString(), room.GetProperty("maxMembers").GetInt32()));
            var history = await http.GetFromJsonAsync<JsonElement[]>("api/rooms/keep/messages?limit=10");
            Assert.Equal(["message 1", "message 2", "message 3", "message 4", "message 5", "committed before 201"],
                history!.Select(m => m.GetProperty("text").GetString()));
            Assert.Equal(lastId, history![^1].GetProperty("id").GetInt64());

            var after = await http.PostAsJsonAsync("api/rooms/keep/messages", new { text = "after restart" });
            Assert.True((await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64() > lastId);
        }

        await using var returner = await second.ConnectTcpAsync("returner");
        await returner.SendAsync("/join keep");
        await returner.ReadUntilAsync("* history of keep (7 messages)");
        await returner.ReadUntilAsync("[keep] api: after restart");
    }

    [Fact]
    public async Task A_database_that_goes_away_degrades_healthz_while_chat_goes_on_and_history_catches_up_when_it_is_back()
    {
        await using var host = await GatewayHost.StartAsync(Settings(("Gateway:Storage:FlushIntervalMs", "10")));
        using var http = host.CreateHttpClient();
        await using var alice = await host.ConnectTcpAsync("alice");
        await using var bob = await host.ConnectTcpAsync("bob");
        await HealthProbe.WaitForAsync(http, "Healthy");

        await using (await _server.RefuseConnectionsAsync(_database))
        {
            for (var i = 0; i < 20; i++)
            {
                await alice.SendAsync($"while away {i}");
            }

            await bob.ReadUntilAsync("[lobby] alice: while away 19");
            await HealthProbe.WaitForAsync(http, "Degraded");
            using var accepted = await http.PostAsJsonAsync("api/rooms/lobby/messages", new { from = "deploy", text = "not committed" });
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            await bob.ReadUntilAsync("[lobby] deploy: not committed");
            var waiting = await http.GetFromJsonAsync<JsonElement[]>("api/rooms/lobby/messages?limit=200");
            Assert.Contains(waiting!, m => m.GetProperty("text").GetString() == "while away 19");
        }

        using (var created = await http.PostAsJsonAsync("api/rooms/lobby/messages", new { from = "deploy", text = "back" }))
        {
            // The 201 means everything queued before it is committed too.
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await HealthProbe.WaitForAsync(http, "Healthy");
        Assert.Equal(22L, await ScalarAsync("SELECT COUNT(*) FROM messages WHERE text LIKE 'while away %' OR text IN ('not committed', 'back')"));
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
