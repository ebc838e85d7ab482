namespace SocketGateway.LoadTool;

/// <summary>
/// Log-linear histogram of latencies in microseconds (64 sub-buckets per power of two, about 1.5 % precision).
/// One per receiving client, written by its receive loop only; merged after the run.
/// </summary>
public sealed class LatencyHistogram
{
    private const int Linear = 128;
    private const int SubBuckets = 64;
    private const int Buckets = Linear + (40 * SubBuckets);

    private readonly long[] _counts = new long[Buckets];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public void Record(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }

        _counts[Index(micros)]++;
        Count++;
        if (micros > Max)
        {
            Max = micros;
        }
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < Buckets; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The value (µs) at or below which the given fraction of samples lies; upper edge of its bucket.</summary>
    public long Percentile(double fraction)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(fraction * Count);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperBound(i), Max);
            }
        }

        return Max;
    }

    private static int Index(long micros)
    {
        if (micros < Linear)
        {
            return (int)micros;
        }

        var exponent = 63 - (int)long.LeadingZeroCount(micros);
        var shift = exponent - 6;
        var index = Linear + ((exponent - 7) * SubBuckets) + (int)((micros >> shift) - SubBuckets);
        return Math.Min(index, Buckets - 1);
    }

    private static long UpperBound(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        var octave = (index - Linear) / SubBuckets;
        var sub = (index - Linear) % SubBuckets;
        var shift = octave + 1;
        return ((SubBuckets + sub + 1L) << shift) - 1;
    }
}
