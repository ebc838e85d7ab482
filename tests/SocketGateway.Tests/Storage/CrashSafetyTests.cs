using System.Net;
using System.Net.Http.Json;
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

    [Fact]
    public async Task Kill_9_during_a_REST_flood_keeps_every_post_that_was_answered_201()
    {
        var connection = GatewayHost.NewDatabase(out var path);
        // A flush interval far longer than the test: a post can only be on disk because its 201 waited for it.
        await using var gateway = await GatewayProcess.StartAsync(connection, new Dictionary<string, string> { ["Gateway__Storage__FlushIntervalMs"] = "600000" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpPort}") };
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var posters = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var text = $"rest {worker}-{i}";
                try
                {
                    using var response = await http.PostAsJsonAsync("/api/rooms/lobby/messages", new { from = "poster", text });
                    Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                    acknowledged.Add(text);
                }
                catch (HttpRequestException)
                {
                    return; // the process is gone: this post was never acknowledged
                }
            }
        })).ToList();

        await WaitUntilAsync(() => acknowledged.Count >= 500);
        await gateway.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(posters).WaitAsync(Timeouts.Step);

        var stored = ReadTexts(path, "rest ").ToHashSet(StringComparer.Ordinal);
        var lost = acknowledged.Where(text => !stored.Contains(text)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} posts answered 201 are not in history: {string.Join(", ", lost.Take(10))}");
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
