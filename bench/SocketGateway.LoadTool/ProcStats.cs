using System.Globalization;

namespace SocketGateway.LoadTool;

/// <summary>A process's resident memory and CPU time, read from /proc (Linux only).</summary>
public readonly record struct ProcSample(long RssBytes, TimeSpan Cpu, long Timestamp)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux this runs on

    public static ProcSample? Read(int pid)
    {
        try
        {
            long rss = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                    break;
                }
            }

            // Fields after the ")" of the command name: state is field 3, utime 14, stime 15.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return new ProcSample(rss, TimeSpan.FromSeconds(ticks / TicksPerSecond), System.Diagnostics.Stopwatch.GetTimestamp());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>CPU used between two samples, in cores (1.0 = one core busy all the time).</summary>
    public static double Cores(ProcSample from, ProcSample to)
    {
        var wall = System.Diagnostics.Stopwatch.GetElapsedTime(from.Timestamp, to.Timestamp).TotalSeconds;
        return wall <= 0 ? 0 : (to.Cpu - from.Cpu).TotalSeconds / wall;
    }
}

/// <summary>The whole machine's busy CPU time (from /proc/stat), to tell how much of it other processes took.</summary>
public static class MachineCpu
{
    public static TimeSpan? Busy()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);

            // cpu user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
            long busy = 0;
            for (var i = 1; i < fields.Length && i <= 8; i++)
            {
                if (i is not 4 and not 5)
                {
                    busy += long.Parse(fields[i], CultureInfo.InvariantCulture);
                }
            }

            return TimeSpan.FromSeconds(busy / 100.0);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
