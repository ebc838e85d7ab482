namespace SocketGateway.Bridges;

/// <summary>
/// The wait before a bridge's next attempt: doubled with each failure in a row from the initial wait, capped, and
/// "equal jitter" (half fixed, half random), so that bridges cut by one outage do not all return in the same instant
/// and the wait still grows.
/// </summary>
public static class BridgeBackoff
{
    public static TimeSpan Delay(int failures, TimeSpan initial, TimeSpan max, Random random)
    {
        var exponent = Math.Min(Math.Max(failures, 1) - 1, 30);
        var capped = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((capped / 2) + (random.NextDouble() * capped / 2));
    }
}
