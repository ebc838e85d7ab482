using System.Diagnostics;
using System.Text.Json;
using SocketGateway.LoadTool.Clients;

namespace SocketGateway.LoadTool.Scenarios;

/// <summary>
/// N idle clients: how long until every one has its welcome (connected, nick given, in lobby), and how much the
/// server's RSS grew per connection, measured after a short settle.
/// </summary>
public static class ConnectionsScenario
{
    public static async Task<RunResult> RunAsync(string name, string transport, int count, ServerEndpoint server, string storage, int parallelism, CancellationToken cancellationToken, double holdSeconds = 0)
    {
        var window = new MeasureWindow();

        // Warm the paths once so that JIT and first-use allocations are not charged to the connections.
        var warm = await ClientFactory.ConnectManyAsync(transport, 50, server, window, null, 50, cancellationToken);
        await Task.WhenAll(warm.Select(c => c.DisposeAsync().AsTask()));
        await Task.Delay(1500, cancellationToken);
        var before = server.Pid is int pid ? ProcSample.Read(pid) : null;

        var started = Stopwatch.GetTimestamp();
        LoadClient[] clients = [];
        string? error = null;
        try
        {
            clients = await ClientFactory.ConnectManyAsync(transport, count, server, window, null, parallelism, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            error = e.Message;
        }

        var establish = Stopwatch.GetElapsedTime(started).TotalSeconds;
        try
        {
            var inLobby = await LobbyMembersAsync(server, cancellationToken);
            await Task.Delay(2000, cancellationToken);
            var after = server.Pid is int pid2 ? ProcSample.Read(pid2) : null;
            if (holdSeconds > 0)
            {
                // For a heap dump or counters while the connections are open (bounded like everything else).
                Console.Error.WriteLine($"holding {count} connections for {holdSeconds} s");
                await Task.Delay(TimeSpan.FromSeconds(holdSeconds), cancellationToken);
            }

            return new RunResult
            {
                Name = name,
                Mode = "connections",
                Description = $"{count} idle {transport} clients, {parallelism} connecting at a time; lobby members {inLobby}",
                Storage = storage,
                Connections = clients.Count(c => c is not null && !c.Closed),
                EstablishSeconds = establish,
                RssBytesPerConnection = before is { } b && after is { } a ? (a.RssBytes - b.RssBytes) / (double)count : null,
                ServerRssMb = after?.RssBytes / 1048576.0,
                Disconnected = clients.Count(c => c is null || c.Closed),
                Error = error ?? clients.Select(c => c?.Error).FirstOrDefault(e => e is not null),
            };
        }
        finally
        {
            await Parallel.ForEachAsync(clients.Where(c => c is not null), new ParallelOptions { MaxDegreeOfParallelism = 64 }, (c, _) => c.DisposeAsync());
        }
    }

    private static async Task<int> LobbyMembersAsync(ServerEndpoint server, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var json = await http.GetStringAsync($"http://{server.Host}:{server.HttpPort}/api/rooms/lobby", cancellationToken);
        return JsonDocument.Parse(json).RootElement.GetProperty("members").GetInt32();
    }
}
