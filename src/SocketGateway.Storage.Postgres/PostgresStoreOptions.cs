namespace SocketGateway.Storage.Postgres;

/// <summary>
/// The PostgreSQL store's settings (<c>Gateway:Storage</c>, with <c>Gateway:Storage:Provider=postgres</c>); the
/// Npgsql connection string is <c>ConnectionStrings:Gateway</c>.
/// </summary>
public sealed class PostgresStoreOptions
{
    public string ConnectionString { get; set; } = "";

    /// <summary>Longest a message waits before its batch is written (group commit).</summary>
    public int FlushIntervalMs { get; set; } = 50;

    public int MaxBatch { get; set; } = 1000;

    /// <summary>Messages waiting for the database; beyond this, history (not live delivery) loses messages.</summary>
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>
    /// How long each step (opening a connection, a room write, an id reservation, a batch, a history read) waits for
    /// the database before it counts as failed; what was not written is kept for the writer to retry, and chat goes on.
    /// </summary>
    public int CommandTimeoutMs { get; set; } = 2000;

    /// <summary>Messages kept per room; 0 keeps all.</summary>
    public int RetentionMaxMessages { get; set; }

    /// <summary>Age after which messages are pruned, in hours; 0 keeps them forever.</summary>
    public double RetentionMaxAgeHours { get; set; }

    /// <summary>Per-room overrides of <see cref="RetentionMaxMessages"/>, by room name.</summary>
    public Dictionary<string, int> RoomRetentionMaxMessages { get; set; } = [];

    public int PruneIntervalSeconds { get; set; } = 60;
}
