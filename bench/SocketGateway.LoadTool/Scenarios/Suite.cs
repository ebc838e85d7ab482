using SocketGateway.LoadTool.Clients;

namespace SocketGateway.LoadTool.Scenarios;

/// <summary>One scenario of the standard suite, with the target for it (if any).</summary>
public sealed record SuiteEntry(string Name, string Storage, FanoutOptions? Fanout, string? ConnectionsTransport, int Connections, string? Target, Func<RunResult, bool>? Met);

/// <summary>The standard suite: the workloads of issue 5 (a, b, SignalR, memory), the mixed modes, store on vs. off.</summary>
public static class Suite
{
    public static IReadOnlyList<SuiteEntry> Standard(bool quick)
    {
        var warmup = TimeSpan.FromSeconds(quick ? 1 : 2);
        var duration = TimeSpan.FromSeconds(quick ? 2 : 5);
        FanoutOptions Fan(string sub, string pub, int subs, int pubs, double rate) => new()
        {
            SubscriberTransport = sub,
            PublisherTransport = pub,
            Subscribers = subs,
            Publishers = pubs,
            Rate = rate,
            Warmup = warmup,
            Duration = duration,
        };

        var connections = quick ? 2000 : 10_000;
        return
        [
            new("a-tcp", "memory", Fan("tcp", "tcp", 100, 1, 0), null, 0, "≥ 2 M/s, 0 lost", r => r.DeliveriesPerSecond >= 2_000_000 && r.Lost == 0),
            new("a-tcp", "sqlite", Fan("tcp", "tcp", 100, 1, 0), null, 0, "store on vs. off (issue 4)", null),
            new("a-tcp-json", "memory", Fan("tcp-json", "tcp", 100, 1, 0), null, 0, null, null),
            new("a-ws", "memory", Fan("ws", "ws", 100, 1, 0), null, 0, null, null),
            new("b-tcp", "memory", Fan("tcp", "tcp", 1000, 10, 1000), null, 0, "all delivered, p99 ≤ 50 ms", r => r.Lost == 0 && r.DeliveriesPerSecond >= 990_000 && r.P99Ms <= 50),
            new("b-tcp", "sqlite", Fan("tcp", "tcp", 1000, 10, 1000), null, 0, "store on vs. off (issue 4)", null),
            new("a-irc", "memory", Fan("irc", "irc", 100, 1, 0), null, 0, "≥ 1.86 M/s (4 × ngIRCd), 0 lost", r => r.DeliveriesPerSecond >= 1_860_000 && r.Lost == 0),
            new("b-irc", "memory", Fan("irc", "irc", 1000, 10, 1000), null, 0, "all delivered, p99 ≤ 50 ms", r => r.Lost == 0 && r.DeliveriesPerSecond >= 990_000 && r.P99Ms <= 50),
            new("a-signalr (mixed: tcp pub)", "memory", Fan("signalr", "tcp", 100, 1, 0), null, 0, "≥ 330 k/s", r => r.DeliveriesPerSecond >= 330_000 && r.Lost == 0),
            new("b-signalr", "memory", Fan("signalr", "signalr", 1000, 1, 100), null, 0, "all delivered, p99 ≤ 100 ms", r => r.Lost == 0 && r.DeliveriesPerSecond >= 99_000 && r.P99Ms <= 100),
            new("mixed: signalr pub, tcp subs", "memory", Fan("tcp", "signalr", 100, 1, 0), null, 0, null, null),
            new("conn-tcp", "memory", null, "tcp", connections, "≤ 4 KB/conn, ≤ 5 s", r => r.RssBytesPerConnection <= 4096 && r.EstablishSeconds <= 5 && r.Connections == connections),
            new("conn-signalr", "memory", null, "signalr", connections, "≤ 16 KB/conn", r => r.RssBytesPerConnection <= 16384 && r.Connections == connections),
        ];
    }

    public static Task<RunResult> RunAsync(SuiteEntry entry, ServerEndpoint server, CancellationToken cancellationToken, int parallelism = 200, double holdSeconds = 0) =>
        entry.Fanout is { } fan
            ? FanoutScenario.RunAsync(entry.Name, fan, server, entry.Storage, cancellationToken)
            : ConnectionsScenario.RunAsync(entry.Name, entry.ConnectionsTransport!, entry.Connections, server, entry.Storage, parallelism, cancellationToken, holdSeconds);

    public static bool IsTransport(string name) => ClientFactory.Transports.Contains(name);
}
