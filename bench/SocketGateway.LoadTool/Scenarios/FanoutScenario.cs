using System.Diagnostics;
using SocketGateway.LoadTool.Clients;

namespace SocketGateway.LoadTool.Scenarios;

public sealed record FanoutOptions
{
    public string SubscriberTransport { get; init; } = "tcp";

    public string PublisherTransport { get; init; } = "tcp";

    public int Subscribers { get; init; } = 100;

    public int Publishers { get; init; } = 1;

    /// <summary>Messages per second from all publishers together; 0 = as fast as the window allows.</summary>
    public double Rate { get; init; }

    /// <summary>Messages sent but not yet received by the slowest subscriber, at most (below the server's queue length).</summary>
    public int Window { get; init; } = 1000;

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public string Describe() =>
        $"{Subscribers} {SubscriberTransport} subs, {Publishers} {PublisherTransport} pub{(Publishers == 1 ? "" : "s")}, "
        + (Rate > 0 ? $"{Rate:0} msg/s" : $"max rate (window {Window})") + $", {LoadClient.TextBytes} B";
}

/// <summary>A gateway process whose CPU the run measures, and its label in the report ("server", "node-a", "redis").</summary>
public sealed record MeasuredProcess(string Label, int Pid, bool IsGateway = true);

/// <summary>
/// Where a fan-out runs: subscribers spread round-robin over the nodes, publishers on one node. One gateway is the
/// usual case; a cluster run gives two nodes and the redis-server (for its CPU and <c>INFO commandstats</c>).
/// </summary>
public sealed record FanoutTargets(IReadOnlyList<ServerEndpoint> SubscriberNodes, ServerEndpoint Publisher, IReadOnlyList<MeasuredProcess> Processes, RedisProcess? Redis = null)
{
    public static FanoutTargets Single(ServerEndpoint server) =>
        new([server], server, server.Pid is int pid ? [new MeasuredProcess("server", pid)] : []);
}

/// <summary>
/// S subscribers and P publishers in one fresh room. Publishers send for warm-up + duration, at a fixed rate or as
/// fast as the window allows; deliveries and latency count over the measured part only; then the tool waits
/// (bounded) for every subscriber to receive every message and counts what is missing as lost.
/// </summary>
public static class FanoutScenario
{
    public static Task<RunResult> RunAsync(string name, FanoutOptions options, ServerEndpoint server, string storage, CancellationToken cancellationToken) =>
        RunAsync(name, options, FanoutTargets.Single(server), storage, cancellationToken);

    public static async Task<RunResult> RunAsync(string name, FanoutOptions options, FanoutTargets targets, string storage, CancellationToken cancellationToken)
    {
        var window = new MeasureWindow();
        var room = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var subs = await ConnectSubscribersAsync(options, targets.SubscriberNodes, window, room, cancellationToken);
        var pubs = await ClientFactory.ConnectManyAsync(options.PublisherTransport, options.Publishers, targets.Publisher, window, room, 16, cancellationToken);
        try
        {
            await Task.Delay(300, cancellationToken);
            if (targets.Redis is { } redisToReset)
            {
                // Only the publishing counts: the joins before and the nodes' heartbeats are a small, separate cost.
                await redisToReset.ResetStatsAsync(cancellationToken);
            }

            // Publishers are members too and read their own echoes: a hub publisher that fell behind on them would be cut
            // off as a slow consumer (hub input is not throttled like line input), so the window covers them as well.
            var state = new PublishState(subs, [.. subs, .. pubs], options.Window);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var started = Stopwatch.GetTimestamp();
            var rate = options.Rate / options.Publishers;
            var publishing = pubs.Select(p => Task.Run(() => PublishAsync(p, room, rate, state, started, stop.Token, hardStop.Token), CancellationToken.None)).ToArray();

            await Task.Delay(options.Warmup, cancellationToken);
            var fromReceived = state.TotalReceived();
            var fromSent = state.Sent;
            var fromProcesses = targets.Processes.Select(p => ProcSample.Read(p.Pid)).ToArray();
            var fromTool = Process.GetCurrentProcess().TotalProcessorTime;
            var fromMachine = MachineCpu.Busy();
            var from = Stopwatch.GetTimestamp();
            window.From = from;

            await Task.Delay(options.Duration, cancellationToken);
            var to = Stopwatch.GetTimestamp();
            window.To = to;
            var toReceived = state.TotalReceived();
            var toSent = state.Sent;
            var toProcesses = targets.Processes.Select(p => ProcSample.Read(p.Pid)).ToArray();
            var toTool = Process.GetCurrentProcess().TotalProcessorTime;
            var toMachine = MachineCpu.Busy();
            await stop.CancelAsync();
            hardStop.CancelAfter(options.DrainTimeout);
            await Task.WhenAll(publishing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            var sent = state.Sent;
            var drainUntil = Stopwatch.GetTimestamp() + (long)(options.DrainTimeout.TotalSeconds * Stopwatch.Frequency);
            while (subs.Any(s => !s.Closed && s.Received < sent) && Stopwatch.GetTimestamp() < drainUntil)
            {
                await Task.Delay(20, cancellationToken);
            }

            var commands = targets.Redis is { } redis ? await redis.CommandCallsAsync(cancellationToken) : null;
            var processCpu = new Dictionary<string, double>(StringComparer.Ordinal);
            double measuredCpuSeconds = 0;
            var allSampled = true;
            for (var i = 0; i < targets.Processes.Count; i++)
            {
                if (fromProcesses[i] is { } f && toProcesses[i] is { } t)
                {
                    processCpu[targets.Processes[i].Label] = ProcSample.Cores(f, t);
                    measuredCpuSeconds += (t.Cpu - f.Cpu).TotalSeconds;
                }
                else
                {
                    allSampled = false;
                }
            }

            var gatewayCpu = targets.Processes.Where(p => p.IsGateway && processCpu.ContainsKey(p.Label)).Select(p => processCpu[p.Label]).ToArray();
            var latency = new LatencyHistogram();
            foreach (var s in subs)
            {
                if (s.Latency is { } h)
                {
                    latency.Add(h);
                }
            }

            var seconds = Stopwatch.GetElapsedTime(from, to).TotalSeconds;
            return new RunResult
            {
                Name = name,
                Mode = "fanout",
                Description = options.Describe(),
                Storage = storage,
                DeliveriesPerSecond = (toReceived - fromReceived) / seconds,
                MessagesPerSecond = (toSent - fromSent) / seconds,
                P50Ms = latency.Percentile(0.50) / 1000.0,
                P99Ms = latency.Percentile(0.99) / 1000.0,
                MaxMs = latency.Max / 1000.0,
                Sent = sent,
                Lost = subs.Sum(s => Math.Max(0, sent - s.Received)),
                Disconnected = subs.Count(s => s.Closed) + pubs.Count(p => p.Closed),
                ServerRssMb = toProcesses.Length > 0 && toProcesses.All(p => p is not null)
                    ? targets.Processes.Zip(toProcesses).Where(p => p.First.IsGateway).Sum(p => p.Second!.Value.RssBytes) / 1048576.0
                    : null,
                ServerCpuCores = gatewayCpu.Length > 0 ? gatewayCpu.Sum() : null,
                ProcessCpuCores = targets.Processes.Count > 1 ? processCpu : null,
                ToolCpuCores = (toTool - fromTool).TotalSeconds / seconds,
                OtherCpuCores = fromMachine is { } fm && toMachine is { } tm && allSampled && targets.Processes.Count > 0
                    ? Math.Max(0, ((tm - fm) - (toTool - fromTool)).TotalSeconds - measuredCpuSeconds) / seconds
                    : null,
                RedisCommandsPerMessage = commands is null || sent == 0 ? null : commands.Values.Sum() / (double)sent,
                RedisCallsByCommand = commands,
                Error = subs.Concat(pubs).Select(c => c.Error).FirstOrDefault(e => e is not null),
            };
        }
        finally
        {
            await Task.WhenAll(subs.Concat(pubs).Where(c => c is not null).Select(c => c.DisposeAsync().AsTask()));
        }
    }

    /// <summary>The subscribers, dealt round-robin over the nodes (half on each of two).</summary>
    private static async Task<LoadClient[]> ConnectSubscribersAsync(FanoutOptions options, IReadOnlyList<ServerEndpoint> nodes, MeasureWindow window, string room, CancellationToken cancellationToken)
    {
        var groups = new List<LoadClient[]>();
        try
        {
            for (var n = 0; n < nodes.Count; n++)
            {
                var count = (options.Subscribers / nodes.Count) + (n < options.Subscribers % nodes.Count ? 1 : 0);
                groups.Add(await ClientFactory.ConnectManyAsync(options.SubscriberTransport, count, nodes[n], window, room, 64, cancellationToken));
            }
        }
        catch
        {
            await Task.WhenAll(groups.SelectMany(g => g).Select(c => c.DisposeAsync().AsTask()));
            throw;
        }

        return [.. groups.SelectMany(g => g)];
    }

    private static async Task PublishAsync(LoadClient publisher, string room, double rate, PublishState state, long started, CancellationToken cancellationToken, CancellationToken abortSend)
    {
        const int MaxBatch = 64;
        long mine = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested && !publisher.Closed)
            {
                var batch = (int)Math.Min(MaxBatch, state.Window - state.InFlight());
                if (rate > 0)
                {
                    var due = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate) - mine;
                    batch = (int)Math.Min(batch, due);
                }

                if (batch <= 0)
                {
                    await Task.Delay(1, cancellationToken);
                    continue;
                }

                state.AddSent(batch);
                mine += batch;
                // A batch counted as sent is sent whole: only a hung server (abortSend) interrupts it.
                await publisher.SendMessagesAsync(room, batch, abortSend);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>What all publishers have sent, and how far the slowest subscriber lags behind it.</summary>
    private sealed class PublishState(LoadClient[] subscribers, LoadClient[] receivers, int window)
    {
        private long _sent;

        public int Window => window;

        public long Sent => Volatile.Read(ref _sent);

        public void AddSent(int count) => Interlocked.Add(ref _sent, count);

        public long InFlight()
        {
            var slowest = long.MaxValue;
            foreach (var s in receivers)
            {
                if (!s.Closed && s.Received < slowest)
                {
                    slowest = s.Received;
                }
            }

            return slowest == long.MaxValue ? 0 : Sent - slowest;
        }

        public long TotalReceived() => subscribers.Sum(s => s.Received);
    }
}
