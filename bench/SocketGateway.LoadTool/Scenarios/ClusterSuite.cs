using System.Globalization;
using System.Text;

namespace SocketGateway.LoadTool.Scenarios;

/// <summary>
/// The cluster workloads of issue 13: (a) and (b) on one gateway and on two gateways on one redis-server, in the same
/// run, one after the other for each repeat. On two nodes the subscribers are split half and half and every publisher
/// is on node A, so each message reaches half its subscribers through Redis.
/// </summary>
public static class ClusterSuite
{
    public const string Begin = "<!-- loadtool:cluster:begin -->";
    public const string End = "<!-- loadtool:cluster:end -->";

    private sealed record Workload(string Name, FanoutOptions Fanout, string? TwoNodeTarget);

    public static async Task<int> MainAsync(Options options, CancellationToken cancellationToken)
    {
        var dll = options.Get("server-dll") ?? throw new ArgumentException("give --server-dll PATH");
        var redisExecutable = options.Get("redis-server") ?? "/usr/bin/redis-server";
        var repeats = options.Int("repeat", 3);
        var quick = options.Flag("quick");
        var workloads = Workloads(quick)
            .Where(w => options.Get("only") is not { } only || only.Split(',').Any(o => w.Name.StartsWith(o, StringComparison.Ordinal)))
            .ToList();
        var serverEnv = (options.Get("server-env") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
        using var jsonFile = options.Get("json") is { } jsonPath ? new StreamWriter(jsonPath, append: true) : null;

        var rows = new List<(RunResult Result, string? Target, bool? Met)>();
        var firstTwoNodeRuns = new List<RunResult>();
        var failed = false;
        foreach (var workload in workloads)
        {
            var one = new List<RunResult>();
            var two = new List<RunResult>();
            for (var repeat = 1; repeat <= repeats && !cancellationToken.IsCancellationRequested; repeat++)
            {
                foreach (var (layout, runs) in new[] { ("one node", one), ("two nodes", two) })
                {
                    var result = await RunOnceAsync(workload, layout, dll, redisExecutable, serverEnv, cancellationToken) with { Repeat = repeat };
                    failed |= result.Error is not null && result.Description == "failed";
                    var line = Report.JsonLine(result);
                    Console.WriteLine(line);
                    jsonFile?.WriteLine(line);
                    jsonFile?.Flush();
                    runs.Add(result);
                }
            }

            if (one.Count == 0 || two.Count == 0)
            {
                continue;
            }

            firstTwoNodeRuns.Add(two[0]);
            var oneMedian = Report.Median(one);
            var twoMedian = Report.Median(two) with { RedisCommandsPerMessage = Report.MedianOf(two.Select(r => r.RedisCommandsPerMessage)), ProcessCpuCores = MedianByKey(two.Select(r => r.ProcessCpuCores)) };
            rows.Add((oneMedian, null, null));
            rows.Add(workload.Name.StartsWith('a')
                ? (twoMedian, "≥ half of one node, 0 lost", twoMedian.Lost == 0 && twoMedian.DeliveriesPerSecond >= oneMedian.DeliveriesPerSecond / 2)
                : (twoMedian, workload.TwoNodeTarget, twoMedian.Lost == 0 && twoMedian.DeliveriesPerSecond >= workload.Fanout.Subscribers * workload.Fanout.Rate * 0.99 && twoMedian.P99Ms <= 100));
        }

        var table = Table(rows, firstTwoNodeRuns);
        Console.WriteLine();
        Console.WriteLine($"Machine: {Report.Machine()}");
        Console.WriteLine(table);
        if (options.Get("markdown") is { } markdown)
        {
            Report.WriteMarkdown(markdown, options.Get("command") ?? "bench/cluster.sh", repeats, table, Begin, End,
                "Each row is the median of {0} runs; one node and two nodes alternate within each repeat, each against freshly started Release builds (rate limit 0, memory store, 127.0.0.1); \"lost\" is summed over the runs. Load tool, both nodes and redis-server share the cores.");
            Console.WriteLine($"wrote {markdown}");
        }

        return failed ? 1 : 0;
    }

    private static List<Workload> Workloads(bool quick)
    {
        var warmup = TimeSpan.FromSeconds(quick ? 1 : 2);
        var duration = TimeSpan.FromSeconds(quick ? 2 : 5);
        return
        [
            new("a-tcp", new FanoutOptions { Subscribers = 100, Publishers = 1, Rate = 0, Warmup = warmup, Duration = duration }, null),
            new("b-tcp", new FanoutOptions { Subscribers = 1000, Publishers = 10, Rate = 1000, Warmup = warmup, Duration = duration }, "all delivered, p99 ≤ 100 ms"),
        ];
    }

    private static async Task<RunResult> RunOnceAsync(Workload workload, string layout, string dll, string redisExecutable, IReadOnlyDictionary<string, string> serverEnv, CancellationToken cancellationToken)
    {
        var name = $"{workload.Name}, {layout}";
        RedisProcess? redis = null;
        var servers = new List<ServerProcess>();
        try
        {
            FanoutTargets targets;
            if (layout == "one node")
            {
                var server = await ServerProcess.StartAsync(dll, "memory", serverEnv, TimeSpan.FromSeconds(60));
                servers.Add(server);
                targets = FanoutTargets.Single(server.Endpoint);
            }
            else
            {
                redis = await RedisProcess.StartAsync(redisExecutable, TimeSpan.FromSeconds(30));
                foreach (var node in new[] { "node-a", "node-b" })
                {
                    var env = new Dictionary<string, string>(serverEnv)
                    {
                        ["ConnectionStrings__Redis"] = redis.Configuration,
                        ["Gateway__Cluster__NodeName"] = node,
                    };
                    servers.Add(await ServerProcess.StartAsync(dll, "memory", env, TimeSpan.FromSeconds(60)));
                }

                await Task.WhenAll(servers.Select(s => WaitReadyAsync(s.Endpoint, cancellationToken)));
                targets = new FanoutTargets(
                    [servers[0].Endpoint, servers[1].Endpoint],
                    servers[0].Endpoint,
                    [new MeasuredProcess("node-a", servers[0].Pid), new MeasuredProcess("node-b", servers[1].Pid), new MeasuredProcess("redis", redis.Pid, IsGateway: false)],
                    redis);
            }

            var result = await FanoutScenario.RunAsync(name, workload.Fanout, targets, "memory", cancellationToken);
            var slow = servers.Sum(s => s.SlowConsumerWarnings);
            return slow > 0 ? result with { Error = (result.Error is null ? "" : result.Error + "; ") + $"servers disconnected {slow} slow consumer(s)" } : result;
        }
        catch (Exception e) when (e is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            return new RunResult { Name = name, Mode = "fanout", Description = "failed", Error = e.Message };
        }
        finally
        {
            await Task.WhenAll(servers.Select(s => s.DisposeAsync().AsTask()));
            if (redis is not null)
            {
                await redis.DisposeAsync();
            }
        }
    }

    /// <summary>A node serves cross-node traffic once <c>/readyz</c> says Redis and its bus are up.</summary>
    private static async Task WaitReadyAsync(ServerEndpoint node, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        do
        {
            try
            {
                using var response = await http.GetAsync($"http://{node.Host}:{node.HttpPort}/readyz", deadline.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
        }
        while (await timer.WaitForNextTickAsync(deadline.Token));
    }

    /// <summary>The medians' table, and the Redis calls by command of the first two-node run of each workload.</summary>
    private static string Table(IReadOnlyList<(RunResult Result, string? Target, bool? Met)> rows, IReadOnlyList<RunResult> two)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| scenario | load | deliveries/s | msgs/s | p50 ms | p99 ms | max ms | lost | gateway CPU (cores) | node-a | node-b | redis | tool CPU | other CPU | Redis commands per message | target | met |");
        sb.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|");
        foreach (var (r, target, met) in rows)
        {
            string Cpu(string label) => r.ProcessCpuCores?.GetValueOrDefault(label) is { } c ? Report.N(c, "0.00") : "";
            sb.Append(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Description} | {Report.N(r.DeliveriesPerSecond, "#,0")} | {Report.N(r.MessagesPerSecond, "#,0")} | {Report.N(r.P50Ms, "0.0")} | {Report.N(r.P99Ms, "0.0")} | {Report.N(r.MaxMs, "0")} | {r.Lost}{(r.Disconnected > 0 ? $" ({r.Disconnected} disc.)" : "")} | {Report.N(r.ServerCpuCores, "0.00")} | {Cpu("node-a")} | {Cpu("node-b")} | {Cpu("redis")} | {Report.N(r.ToolCpuCores, "0.00")} | {Report.N(r.OtherCpuCores, "0.00")} | {Report.N(r.RedisCommandsPerMessage, "0.00")} | {target} | {Report.Met(met)} |");
            sb.AppendLine();
        }

        foreach (var r in two.Where(r => r.RedisCallsByCommand is { Count: > 0 } && r.Sent > 0))
        {
            var calls = string.Join(", ", r.RedisCallsByCommand!.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value / (double)r.Sent!.Value:0.000}"));
            sb.AppendLine(CultureInfo.InvariantCulture, $"\n- {r.Name}, Redis calls per published message (`INFO commandstats`, first repeat, {r.Sent:#,0} messages): {calls}");
        }

        foreach (var (r, _, _) in rows.Where(r => r.Result.Error is not null))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"\n- {r.Name}: error: {r.Error}");
        }

        return sb.ToString();
    }

    private static Dictionary<string, double>? MedianByKey(IEnumerable<IReadOnlyDictionary<string, double>?> runs)
    {
        var list = runs.Where(r => r is not null).Select(r => r!).ToList();
        return list.Count == 0 ? null : list.SelectMany(r => r.Keys).Distinct().ToDictionary(k => k, k => Report.MedianOf(list.Select(r => r.TryGetValue(k, out var v) ? v : (double?)null)) ?? 0);
    }
}
