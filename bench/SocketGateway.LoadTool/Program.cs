using System.Globalization;
using SocketGateway.LoadTool;
using SocketGateway.LoadTool.Scenarios;

const string Usage = """
    SocketGateway load tool (loopback only; every run bounded in time).

      suite       --server-dll PATH [--repeat 3] [--quick] [--only NAME,...] [--markdown docs/BENCHMARKS.md] [--json FILE] [--command TEXT]
      fanout      (--server-dll PATH [--storage memory|sqlite] | --connect HTTPPORT:TCPPORT[:TLSPORT[:IRCPORT]] [--pid PID])
                  [--sub tcp|tcp-json|tls|irc|ws|signalr] [--pub tcp|tcp-json|tls|irc|ws|signalr] [--subs 100] [--pubs 1]
                  [--rate 0 (msgs/s in total; 0 = max)] [--window 1000] [--warmup 2] [--duration 5] [--repeat 1] [--json FILE]
      cluster     --server-dll PATH [--redis-server /usr/bin/redis-server] [--repeat 3] [--quick] [--only a-tcp,b-tcp] [--server-env K=V] [--markdown FILE] [--json FILE]
                  (a) and (b) on one node and on two nodes on one redis-server, subscribers split, publishers on node A
      connections (--server-dll PATH | --connect ...) [--transport tcp|tls|signalr|ws|tcp-json] [--count 10000] [--parallel 200] [--repeat 1] [--hold SECONDS]

    --server-env K=V,K=V adds environment variables to a gateway the tool starts (e.g. DOTNET_gcServer=0).
    --timeout SECONDS ends the whole run (default 1800 for suite, 300 otherwise).
    Output: a table on stdout (median of the repeats) and one JSON line per run (stdout, and --json FILE).
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return 0;
}

var command = args[0];
var options = Options.Parse(args.AsSpan(1));
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.Double("timeout", command is "suite" or "cluster" ? 1800 : 300)));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    timeout.Cancel();
};

if (command == "cluster")
{
    return await ClusterSuite.MainAsync(options, timeout.Token);
}

var entries = command switch
{
    "suite" => Suite.Standard(options.Flag("quick"))
        .Where(e => options.Get("only") is not { } only || only.Split(',').Any(o => e.Name.StartsWith(o, StringComparison.Ordinal)))
        .ToList(),
    "fanout" => [new SuiteEntry("fanout", options.Get("storage") ?? "memory", new FanoutOptions
    {
        SubscriberTransport = options.Get("sub") ?? "tcp",
        PublisherTransport = options.Get("pub") ?? "tcp",
        Subscribers = options.Int("subs", 100),
        Publishers = options.Int("pubs", 1),
        Rate = options.Double("rate", 0),
        Window = options.Int("window", 1000),
        Warmup = TimeSpan.FromSeconds(options.Double("warmup", 2)),
        Duration = TimeSpan.FromSeconds(options.Double("duration", 5)),
    }, null, 0, null, null)],
    "connections" => [new SuiteEntry("connections", options.Get("storage") ?? "memory", null, options.Get("transport") ?? "tcp", options.Int("count", 10_000), null, null)],
    _ => null,
};
if (entries is null)
{
    Console.Error.WriteLine($"unknown command '{command}'\n\n{Usage}");
    return 2;
}

var repeats = options.Int("repeat", command == "suite" ? 3 : 1);
var dll = options.Get("server-dll");
if (dll is null && options.Get("connect") is null)
{
    Console.Error.WriteLine("give --server-dll PATH (the tool starts the gateway) or --connect HTTPPORT:TCPPORT[:TLSPORT[:IRCPORT]]");
    return 2;
}

var serverEnv = (options.Get("server-env") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
    .Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
using var jsonFile = options.Get("json") is { } jsonPath ? new StreamWriter(jsonPath, append: true) : null;
var rows = new List<(RunResult, string?, bool?)>();
var failed = false;
foreach (var entry in entries)
{
    var runs = new List<RunResult>();
    for (var repeat = 1; repeat <= repeats && !timeout.IsCancellationRequested; repeat++)
    {
        RunResult result;
        ServerProcess? server = null;
        try
        {
            ServerEndpoint endpoint;
            if (dll is not null)
            {
                server = await ServerProcess.StartAsync(dll, entry.Storage, serverEnv, TimeSpan.FromSeconds(60));
                endpoint = server.Endpoint;
            }
            else
            {
                var parts = options.Get("connect")!.Split(':');
                endpoint = new ServerEndpoint("127.0.0.1", int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), options.Get("pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null, parts.Length > 2 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : 0,
                    parts.Length > 3 ? int.Parse(parts[3], CultureInfo.InvariantCulture) : 0);
            }

            result = await Suite.RunAsync(entry, endpoint, timeout.Token, options.Int("parallel", 200), Math.Min(options.Double("hold", 0), 600)) with { Repeat = repeat };
            if (server is not null && server.SlowConsumerWarnings > 0)
            {
                result = result with { Error = (result.Error is null ? "" : result.Error + "; ") + $"server disconnected {server.SlowConsumerWarnings} slow consumer(s)" };
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || timeout.IsCancellationRequested)
        {
            result = new RunResult { Name = entry.Name, Mode = entry.Fanout is null ? "connections" : "fanout", Description = "failed", Storage = entry.Storage, Repeat = repeat, Error = e.Message };
            failed = true;
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        var line = Report.JsonLine(result);
        Console.WriteLine(line);
        jsonFile?.WriteLine(line);
        jsonFile?.Flush();
        runs.Add(result);
    }

    if (runs.Count > 0)
    {
        var median = Report.Median(runs);
        rows.Add((median, entry.Target, entry.Met?.Invoke(median)));
    }
}

var table = Report.Table(rows);
Console.WriteLine();
Console.WriteLine($"Machine: {Report.Machine()}");
Console.WriteLine(table);
if (options.Get("markdown") is { } markdown)
{
    var commandLine = options.Get("command") ?? "dotnet SocketGateway.LoadTool.dll " + string.Join(' ', args);
    Report.WriteMarkdown(markdown, commandLine, repeats, table);
    Console.WriteLine($"wrote {markdown}");
}

return failed ? 1 : 0;
