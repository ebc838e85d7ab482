namespace SocketGateway.Storage.Sqlite;

/// <summary>The SQLite store's settings (<c>Gateway:Storage</c>, connection string <c>ConnectionStrings:Gateway</c>).</summary>
public sealed class SqliteStoreOptions
{
    public const string DefaultConnectionString = "Data Source=./data/gateway.db";

    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>Longest a message waits before its batch is written (group commit).</summary>
    public int FlushIntervalMs { get; set; } = 50;

    public int MaxBatch { get; set; } = 1000;

    /// <summary>Messages waiting for the disk; beyond this, history (not live delivery) loses messages.</summary>
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>Messages kept per room; 0 keeps all.</summary>
    public int RetentionMaxMessages { get; set; }

    /// <summary>Age after which messages are pruned, in hours; 0 keeps them forever.</summary>
    public double RetentionMaxAgeHours { get; set; }

    /// <summary>Per-room overrides of <see cref="RetentionMaxMessages"/>, by room name.</summary>
    public Dictionary<string, int> RoomRetentionMaxMessages { get; set; } = [];

    public int PruneIntervalSeconds { get; set; } = 60;

    /// <summary>How long a write waits on a locked database before it counts as failed.</summary>
    public int BusyTimeoutMs { get; set; } = 2000;
}
