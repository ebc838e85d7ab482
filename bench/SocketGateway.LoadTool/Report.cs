using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SocketGateway.LoadTool.Scenarios;

namespace SocketGateway.LoadTool;

/// <summary>Results as JSON lines (every run) and as tables (median of the repeats).</summary>
public static class Report
{
    public const string Begin = "<!-- loadtool:begin -->";
    public const string End = "<!-- loadtool:end -->";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string JsonLine(RunResult result) => JsonSerializer.Serialize(result, Json);

    /// <summary>The median of each figure over the repeats; lost and disconnected are summed.</summary>
    public static RunResult Median(IReadOnlyList<RunResult> runs) => runs[0] with
    {
        Repeat = runs.Count,
        DeliveriesPerSecond = Med(runs, r => r.DeliveriesPerSecond),
        MessagesPerSecond = Med(runs, r => r.MessagesPerSecond),
        P50Ms = Med(runs, r => r.P50Ms),
        P99Ms = Med(runs, r => r.P99Ms),
        MaxMs = Med(runs, r => r.MaxMs),
        Sent = runs.Sum(r => r.Sent),
        Lost = runs.Sum(r => r.Lost),
        Disconnected = runs.Sum(r => r.Disconnected),
        Connections = (int?)Med(runs, r => r.Connections),
        EstablishSeconds = Med(runs, r => r.EstablishSeconds),
        RssBytesPerConnection = Med(runs, r => r.RssBytesPerConnection),
        ServerRssMb = Med(runs, r => r.ServerRssMb),
        ServerCpuCores = Med(runs, r => r.ServerCpuCores),
        ToolCpuCores = Med(runs, r => r.ToolCpuCores),
        OtherCpuCores = Med(runs, r => r.OtherCpuCores),
        Error = runs.Select(r => r.Error).FirstOrDefault(e => e is not null),
    };

    public static string Table(IReadOnlyList<(RunResult Result, string? Target, bool? Met)> rows)
    {
        var sb = new StringBuilder();
        var fan = rows.Where(r => r.Result.Mode == "fanout").ToList();
        if (fan.Count > 0)
        {
            sb.AppendLine("| scenario | load | store | deliveries/s | msgs/s | p50 ms | p99 ms | max ms | lost | server CPU (cores) | tool CPU | other CPU | server RSS MB | target | met |");
            sb.AppendLine("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|");
            foreach (var (r, target, met) in fan)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"| {r.Name} | {r.Description} | {r.Storage} | {N(r.DeliveriesPerSecond, "#,0")} | {N(r.MessagesPerSecond, "#,0")} | {N(r.P50Ms, "0.0")} | {N(r.P99Ms, "0.0")} | {N(r.MaxMs, "0")} | {r.Lost}{(r.Disconnected > 0 ? $" ({r.Disconnected} disc.)" : "")} | {N(r.ServerCpuCores, "0.00")} | {N(r.ToolCpuCores, "0.00")} | {N(r.OtherCpuCores, "0.00")} | {N(r.ServerRssMb, "0")} | {target} | {Met(met)} |");
                sb.AppendLine();
            }
        }

        var conns = rows.Where(r => r.Result.Mode == "connections").ToList();
        if (conns.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("| scenario | load | connected | time to connect + welcome + lobby (s) | server RSS per connection (KB) | server RSS MB | target | met |");
            sb.AppendLine("|---|---|--:|--:|--:|--:|---|---|");
            foreach (var (r, target, met) in conns)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"| {r.Name} | {r.Description} | {r.Connections} | {N(r.EstablishSeconds, "0.00")} | {N(r.RssBytesPerConnection / 1024, "0.0")} | {N(r.ServerRssMb, "0")} | {target} | {Met(met)} |");
                sb.AppendLine();
            }
        }

        foreach (var (r, _, _) in rows.Where(r => r.Result.Error is not null))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"\n- {r.Name} ({r.Storage}): error: {r.Error}");
        }

        return sb.ToString();
    }

    public static string Machine()
    {
        var cpu = TryRead("/proc/cpuinfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var mem = TryRead("/proc/meminfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        return $"{Environment.ProcessorCount} CPUs (nproc), {cpu}, {mem} RAM, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    /// <summary>Replaces the suite's section of the markdown file (between the markers), keeping the rest.</summary>
    public static void WriteMarkdown(string path, string command, int repeats, string table) =>
        WriteMarkdown(path, command, repeats, table, Begin, End,
            "Each row is the median of {0} runs, each against a freshly started Release build (rate limit 0, 127.0.0.1); \"lost\" is summed over the runs. Load tool and server share the cores.");

    /// <summary>Replaces the section between <paramref name="begin"/> and <paramref name="end"/>; <paramref name="method"/> has {0} for the repeats.</summary>
    public static void WriteMarkdown(string path, string command, int repeats, string table, string begin, string end, string method)
    {
        var section = new StringBuilder()
            .AppendLine(begin)
            .AppendLine(CultureInfo.InvariantCulture, $"Generated by the load tool on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Machine()}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Command: `{command}`")
            .AppendLine(CultureInfo.InvariantCulture, $"- {string.Format(CultureInfo.InvariantCulture, method, repeats)}")
            .AppendLine()
            .Append(table)
            .AppendLine(end)
            .ToString();
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n\n" + begin + "\n" + end + "\n";
        var from = text.IndexOf(begin, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        text = from >= 0 && to > from
            ? text[..from] + section + text[(to + end.Length)..].TrimStart('\r', '\n').Insert(0, "\n")
            : text + "\n" + section;
        File.WriteAllText(path, text);
    }

    private static string? TryRead(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    internal static string N(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "";

    internal static string Met(bool? met) => met switch { true => "yes", false => "**no**", null => "" };

    private static double? Med(IReadOnlyList<RunResult> runs, Func<RunResult, double?> pick) => MedianOf(runs.Select(pick));

    /// <summary>The median of the values that are there; null when none is.</summary>
    internal static double? MedianOf(IEnumerable<double?> values)
    {
        var sorted = values.Where(v => v.HasValue).Select(v => v!.Value).Order().ToArray();
        return sorted.Length == 0 ? null : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
