using System.Net;

namespace SocketGateway.Core.Limits;

/// <summary>Why a new connection was refused, or <see cref="Admitted"/>.</summary>
public enum Admission
{
    Admitted,
    GatewayFull,
    TooManyFromAddress,
    TooFastFromAddress,
}

/// <summary>
/// Admits new connections of every transport: a global cap, a cap per client address (see
/// <see cref="ClientAddress"/>) and a token bucket of new connections per address. Loopback can be exempted
/// (the default), so benchmarks and local tools are never refused.
/// </summary>
public sealed class ConnectionGuard(GatewayLimits limits, TimeProvider time)
{
    // Entries of addresses with no connection and a full bucket carry no state worth keeping.
    private const int PruneAbove = 4096;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = [];
    private int _total;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    /// <summary>Admits the connection and returns its lease (dispose it when the connection ends), or says why not.</summary>
    public Admission TryAdmit(IPAddress? address, out IDisposable? lease)
    {
        lease = null;
        var exempt = limits.ExemptLoopback && ClientAddress.IsLoopback(address);
        var key = ClientAddress.PartitionKey(address);
        lock (_gate)
        {
            if (!exempt && limits.MaxConnections > 0 && _total >= limits.MaxConnections)
            {
                return Admission.GatewayFull;
            }

            if (!_entries.TryGetValue(key, out var entry))
            {
                if (_entries.Count >= PruneAbove)
                {
                    Prune();
                }

                entry = new Entry(key, Math.Max(1, limits.ConnectionBurstPerIp), time.GetTimestamp());
                _entries[key] = entry;
            }

            if (!exempt)
            {
                if (limits.MaxConnectionsPerIp > 0 && entry.Open >= limits.MaxConnectionsPerIp)
                {
                    return Admission.TooManyFromAddress;
                }

                if (limits.ConnectionRatePerIp > 0)
                {
                    Refill(entry);
                    if (entry.Tokens < 1)
                    {
                        return Admission.TooFastFromAddress;
                    }

                    entry.Tokens -= 1;
                }
            }

            entry.Open++;
            _total++;
            lease = new Lease(this, entry);
        }

        return Admission.Admitted;
    }

    /// <summary>The one line a refused connection is told.</summary>
    public static string Describe(Admission admission) => admission switch
    {
        Admission.GatewayFull => "the gateway is full; try again later",
        Admission.TooManyFromAddress => "too many connections from your address",
        Admission.TooFastFromAddress => "too many new connections from your address; slow down",
        _ => "admitted",
    };

    private void Release(Entry entry)
    {
        lock (_gate)
        {
            _total--;
            // A pruned entry has no open connection; one that came back for the same address is found by its key.
            if (_entries.TryGetValue(entry.Key, out var current))
            {
                current.Open--;
            }
        }
    }

    private void Refill(Entry entry)
    {
        var now = time.GetTimestamp();
        var seconds = time.GetElapsedTime(entry.Stamp, now).TotalSeconds;
        entry.Stamp = now;
        entry.Tokens = Math.Min(Math.Max(1, limits.ConnectionBurstPerIp), entry.Tokens + (seconds * limits.ConnectionRatePerIp));
    }

    private void Prune()
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.Open == 0)
            {
                Refill(entry);
                if (entry.Tokens >= Math.Max(1, limits.ConnectionBurstPerIp))
                {
                    _entries.Remove(key);
                }
            }
        }
    }

    private sealed class Entry(string key, double tokens, long stamp)
    {
        public string Key { get; } = key;

        public double Tokens { get; set; } = tokens;

        public long Stamp { get; set; } = stamp;

        public int Open { get; set; }
    }

    // Holds the address's entry, not a key string of its own: one lease per open connection.
    private sealed class Lease(ConnectionGuard guard, Entry entry) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                guard.Release(entry);
            }
        }
    }
}
