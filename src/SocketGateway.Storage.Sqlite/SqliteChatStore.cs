using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SocketGateway.Core.Events;
using SocketGateway.Core.Storage;

namespace SocketGateway.Storage.Sqlite;

/// <summary>
/// Rooms and history in one SQLite file (WAL). Room changes and id reservations are written at once (reservations
/// from the id allocator's fetch ahead, never on a room's send path), so they are durable when the call returns. Messages are delivered live first and written by one background writer in
/// batches (group commit); a history read sees the rows on disk plus the ones still waiting. If the disk fails,
/// what could not be written waits in a bounded buffer and is retried, and chat goes on. A caller that must know
/// its message is on disk waits for its batch (<see cref="WaitForCommitAsync"/>); the writer then commits at once
/// instead of gathering for the flush interval.
/// </summary>
public sealed partial class SqliteChatStore : IChatStore, IStoreHealth, IAsyncDisposable
{
    private readonly SqliteStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly StoreFailures _failures;
    private readonly ILogger<SqliteChatStore> _logger;
    private readonly string _connectionString;
    private readonly Lock _roomGate = new();
    private readonly GroupCommitQueue _queue;
    private readonly CancellationTokenSource _stop = new();
    private Task _writer = Task.CompletedTask;
    private int _disposed;

    public SqliteChatStore(SqliteStoreOptions options, TimeProvider time, ILogger<SqliteChatStore> logger)
    {
        _options = options;
        _time = time;
        _failures = new StoreFailures(time);
        _logger = logger;
        _queue = new GroupCommitQueue(options.QueueCapacity, time);
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString)
        {
            DefaultTimeout = Math.Max(1, options.BusyTimeoutMs / 1000),
            Pooling = true,
        };
        _connectionString = builder.ToString();
        DataSource = builder.DataSource;
    }

    public string DataSource { get; }

    public async Task<StoreSnapshot> OpenAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        StoreSnapshot snapshot;
        using (var connection = Open())
        {
            Execute(connection, "PRAGMA journal_mode = WAL;");
            SchemaMigrations.Apply(connection);
            snapshot = new StoreSnapshot(ReadRooms(connection), ReadHighWaterMark(connection), ReadGrants(connection));
        }

        _writer = Task.Run(() => WriteLoopAsync(_stop.Token), CancellationToken.None);
        await Task.CompletedTask.ConfigureAwait(false);
        return snapshot;
    }

    public Task SaveRoomAsync(StoredRoom room, CancellationToken cancellationToken)
    {
        RunOrRetryLater(room.Name, room, connection => UpsertRoom(connection, room));
        return Task.CompletedTask;
    }

    public Task DeleteRoomAsync(string room, CancellationToken cancellationToken)
    {
        RunOrRetryLater(room, null, connection => DeleteRoom(connection, room));
        return Task.CompletedTask;
    }

    // Grants and nick owners are written at once and fail loudly: the REST call or sign-in that made them says so,
    // rather than a ban silently waiting in a retry buffer.
    public Task SaveGrantAsync(StoredGrant grant, bool granted, CancellationToken cancellationToken)
    {
        using var connection = Open();
        WriteGrant(connection, grant, granted);
        return Task.CompletedTask;
    }

    public Task RememberNickAsync(string nick, string account, CancellationToken cancellationToken)
    {
        using var connection = Open();
        WriteNickOwner(connection, nick, account, _time.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task<string?> NickOwnerAsync(string nick, CancellationToken cancellationToken)
    {
        using var connection = Open();
        return Task.FromResult(ReadNickOwner(connection, nick));
    }

    public Task<long> ReserveMessageIdsAsync(long after, int count, CancellationToken cancellationToken)
    {
        try
        {
            using var connection = Open();
            return Task.FromResult(ReserveIds(connection, after, count));
        }
        catch (SqliteException e)
        {
            // The allocator retries; meanwhile chat goes on with the ids after its block.
            Failed(e);
            throw;
        }
    }

    public long Append(MessageEvent message)
    {
        var position = _queue.Append(message);
        if (position == 0)
        {
            LogDropped();
        }

        return position;
    }

    public Task WaitForCommitAsync(long position, CancellationToken cancellationToken) =>
        _queue.WaitForCommitAsync(position, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // Registered as itself, IChatStore and IStoreHealth: the container disposes it once per registration.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, $"PRAGMA busy_timeout = {_options.BusyTimeoutMs}; PRAGMA synchronous = NORMAL;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void RunOrRetryLater(string room, StoredRoom? save, Action<SqliteConnection> write)
    {
        try
        {
            using var connection = Open();
            write(connection);
        }
        catch (SqliteException e)
        {
            Failed(e);
            lock (_roomGate)
            {
                _pendingRooms[room] = save;
            }

            _queue.Wake();
        }
    }
}
