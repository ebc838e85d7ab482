using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Storage;

public sealed class StoreFailureTests
{
    [Fact]
    public async Task A_locked_database_does_not_stop_live_chat_and_history_catches_up_after()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Storage:BusyTimeoutMs"] = "100",
            ["Gateway:Storage:FlushIntervalMs"] = "10",
        });
        using var http = host.CreateHttpClient();
        await using var alice = await host.ConnectTcpAsync("alice");
        await using var bob = await host.ConnectTcpAsync("bob");

        // Another process takes the write lock and keeps it.
        await using var locker = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False");
        locker.Open();
        using (var begin = locker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
        }

        for (var i = 0; i < 20; i++)
        {
            await alice.SendAsync($"while locked {i}");
        }

        await bob.ReadUntilAsync("[lobby] alice: while locked 19");
        await HealthProbe.WaitForAsync(http, "Degraded");

        // History still shows what waits to be written.
        var waiting = await http.GetFromJsonAsync<JsonElement[]>("api/rooms/lobby/messages?limit=200");
        Assert.Contains(waiting!, m => m.GetProperty("text").GetString() == "while locked 19");

        using (var rollback = locker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        await HealthProbe.WaitForAsync(http, "Healthy");
        using var reader = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False");
        reader.Open();
        using var count = reader.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM messages WHERE text LIKE 'while locked %'";
        Assert.Equal(20L, count.ExecuteScalar());
    }

    [Fact]
    public async Task A_REST_post_the_store_cannot_commit_is_delivered_answered_202_and_written_once_the_store_recovers()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Storage:BusyTimeoutMs"] = "100",
            ["Gateway:Storage:FlushIntervalMs"] = "10",
        });
        using var http = host.CreateHttpClient();
        await using var bob = await host.ConnectTcpAsync("bob");
        await using var locker = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False");
        locker.Open();
        using (var begin = locker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
        }

        using (var locked = await http.PostAsJsonAsync("api/rooms/lobby/messages", new { from = "deploy", text = "while the disk is locked" }))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, locked.StatusCode);
            var body = await locked.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("while the disk is locked", body.GetProperty("text").GetString());
        }

        await bob.ReadUntilAsync("[lobby] deploy: while the disk is locked");
        using (var rollback = locker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        using (var healthy = await http.PostAsJsonAsync("api/rooms/lobby/messages", new { from = "deploy", text = "after the disk is back" }))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, healthy.StatusCode);
        }

        // The 201 of the later post means everything queued before it is committed too.
        using var reader = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False");
        reader.Open();
        using var count = reader.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM messages WHERE text IN ('while the disk is locked', 'after the disk is back')";
        Assert.Equal(2L, count.ExecuteScalar());
    }
}
