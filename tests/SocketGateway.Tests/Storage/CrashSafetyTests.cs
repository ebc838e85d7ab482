using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Storage;

/// <summary>A real gateway process, stopped gracefully or killed mid-flood, over the same SQLite file.</summary>
public sealed partial class CrashSafetyTests
{
    [Fact]
    public async Task Sigterm_flushes_every_delivered_message()
    {
        var connection = GatewayHost.NewDatabase(out var path);
        // A flush interval far longer than the test: only the graceful stop can have written these.
        await using var gateway = await GatewayProcess.StartAsync(connection, new Dictionary<string, string> { ["Gateway__Storage__FlushIntervalMs"] = "600000" });
        await using (var client = await gateway.ConnectTcpAsync())
        {
            await client.ReadWelcomeAsync();
            for (var i = 0; i < 300; i++)
            {
                await client.SendAsync($"term {i}");
            }

            await client.ReadUntilAsync(l => l.EndsWith(": term 299", StringComparison.Ordinal));
            await gateway.TerminateAsync();
        }

        Assert.Equal(0, gateway.ExitCode);
        var texts = ReadTexts(path, "term ");
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"term {i}"), texts);
    }

    [Fact]
    public async Task Kill_9_during_a_flood_loses_at_most_the_tail_and_never_reuses_an_id()
    {
        var connection = GatewayHost.NewDatabase(out var path);
        long highestSeen = 0;
        for (var round = 0; round < 3; round++)
        {
            await using var gateway = await GatewayProcess.StartAsync(connection, new Dictionary<string, string> { ["Gateway__Storage__FlushIntervalMs"] = "20" });
            await using var client = await gateway.ConnectTcpAsync();
            await client.ReadWelcomeAsync();
            await client.SendAsync("/format json");

            // Flood, read every echo, and kill the process once the flood has started reaching the disk.
            var flood = Task.Run(async () =>
            {
                for (var i = 0; i < 50_000; i++)
                {
                    await client.SendAsync($"r{round} {i}");
                }
            });
            var seenThisRound = 0L;
            var reading = Task.Run(async () =>
            {
                while (await client.ReadLineAsync() is { } line)
                {
                    if (line.Contains("\"type\":\"message\"", StringComparison.Ordinal))
                    {
                        Interlocked.Exchange(ref seenThisRound, Math.Max(seenThisRound, long.Parse(IdField().Match(line).Groups[1].Value)));
                    }
                }
            });
            // Kill once echoes are coming back and batches are reaching the disk (a reset may discard unread echoes).
            await WaitUntilAsync(() => Interlocked.Read(ref seenThisRound) > 0 && ReadTexts(path, $"r{round} ").Count > 0);
            await gateway.KillAsync();
            await Task.WhenAll(flood, reading).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Timeouts.Step);
            highestSeen = Math.Max(highestSeen, seenThisRound);

            Assert.True(seenThisRound > 0);
            AssertConsistent(path, $"r{round} ");
        }

        // Whatever was seen before the last kill, a new message gets a higher id.
        await using var last = await GatewayProcess.StartAsync(connection);
        await using var check = await last.ConnectTcpAsync();
        await check.ReadWelcomeAsync();
        await check.SendAsync("/format json");
        await check.SendAsync("after the crashes");
        var message = await check.ReadJsonAsync("message");
        Assert.True(message.GetProperty("id").GetInt64() > highestSeen, $"id {message.GetProperty("id")} reused (seen up to {highestSeen})");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Step);
        while (!condition())
        {
            // The disk is polled: nothing outside the process signals that a batch was committed.
            await Task.Delay(5, timeout.Token);
        }
    }

    /// <summary>Integrity ok, ids strictly increasing with the send order, no duplicates, no holes before the tail.</summary>
    private static void AssertConsistent(string path, string prefix)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using (var check = connection.CreateCommand())
        {
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
        }

        var texts = ReadTexts(connection, prefix);
        Assert.Equal(texts.Count, texts.Distinct().Count());
        var numbers = texts.Select(t => int.Parse(t[prefix.Length..])).ToList();
        Assert.True(numbers.Count > 0, "some of the flood was written before the kill");
        Assert.Equal(Enumerable.Range(0, numbers.Count), numbers);
    }

    private static List<string> ReadTexts(string path, string prefix)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return ReadTexts(connection, prefix);
    }

    private static List<string> ReadTexts(SqliteConnection connection, string prefix)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT text FROM messages WHERE text LIKE $prefix ORDER BY id";
        command.Parameters.AddWithValue("$prefix", prefix + "%");
        using var reader = command.ExecuteReader();
        var texts = new List<string>();
        while (reader.Read())
        {
            texts.Add(reader.GetString(0));
        }

        return texts;
    }

    [GeneratedRegex("\"id\":(\\d+)")]
    private static partial Regex IdField();
}
