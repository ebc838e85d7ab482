using Microsoft.Extensions.Logging;
using Npgsql;
using SocketGateway.Core.Events;
using SocketGateway.Core.Storage;

namespace SocketGateway.Storage.Postgres;

/// <summary>
/// Rooms and history in PostgreSQL, with the SQLite store's contract: room changes are written before the call
/// returns (or kept for a retry while the database fails), messages are delivered live first and committed by one
/// background writer in batches (group commit, one statement per batch), a history read sees the committed rows
/// plus the ones still waiting, and a failing database leaves chat going with <c>/healthz</c> Degraded. Nothing in
/// it assumes it is the only writer: ids come in blocks from one atomic UPDATE … RETURNING, and migrations run under
/// an advisory lock.
/// </summary>
public sealed partial class PostgresChatStore : IChatStore, IStoreHealth, IAsyncDisposable
{
    private readonly PostgresStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly StoreFailures _failures;
    private readonly ILogger<PostgresChatStore> _logger;
    private readonly NpgsqlDataSource _dataSource;
    private readonly GroupCommitQueue _queue;
    private readonly CancellationTokenSource _stop = new();
    private Task _writer = Task.CompletedTask;
    private int _disposed;

    public PostgresChatStore(PostgresStoreOptions options, TimeProvider time, ILogger<PostgresChatStore> logger)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException("Gateway:Storage:Provider=postgres needs ConnectionStrings:Gateway (an Npgsql connection string, e.g. \"Host=127.0.0.1;Database=gateway;Username=gateway;Password=...\")");
        }

        _options = options;
        _time = time;
        _failures = new StoreFailures(time);
        _logger = logger;
        _queue = new GroupCommitQueue(options.QueueCapacity, time);
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
    }

    public async Task<StoreSnapshot> OpenAsync(CancellationToken cancellationToken)
    {
        StoreSnapshot snapshot;
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await PostgresSchemaMigrations.ApplyAsync(connection, cancellationToken).ConfigureAwait(false);
            snapshot = new StoreSnapshot(
                await ReadRoomsAsync(connection, cancellationToken).ConfigureAwait(false),
                await ReadHighWaterMarkAsync(connection, cancellationToken).ConfigureAwait(false),
                await ReadGrantsAsync(connection, cancellationToken).ConfigureAwait(false));
        }

        _writer = Task.Run(() => WriteLoopAsync(_stop.Token), CancellationToken.None);
        return snapshot;
    }

    public Task SaveRoomAsync(StoredRoom room, CancellationToken cancellationToken) =>
        RunOrRetryLaterAsync(room.Name, room, cancellationToken);

    public Task DeleteRoomAsync(string room, CancellationToken cancellationToken) =>
        RunOrRetryLaterAsync(room, null, cancellationToken);

    // Grants and nick owners are written at once and fail loudly (within the command timeout): the REST call or
    // sign-in that made them says so, rather than a ban silently waiting in a retry buffer.
    public async Task SaveGrantAsync(StoredGrant grant, bool granted, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(cancellationToken);
        var connection = await _dataSource.OpenConnectionAsync(deadline.Token).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await WriteGrantAsync(connection, grant, granted, deadline.Token).ConfigureAwait(false);
        }
    }

    public async Task RememberNickAsync(string nick, string account, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(cancellationToken);
        var connection = await _dataSource.OpenConnectionAsync(deadline.Token).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await WriteNickOwnerAsync(connection, nick, account, _time.GetUtcNow(), deadline.Token).ConfigureAwait(false);
        }
    }

    public async Task<string?> NickOwnerAsync(string nick, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(cancellationToken);
        var connection = await _dataSource.OpenConnectionAsync(deadline.Token).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadNickOwnerAsync(connection, nick, deadline.Token).ConfigureAwait(false);
        }
    }

    public async Task<long> ReserveMessageIdsAsync(long after, int count, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(cancellationToken);
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(deadline.Token).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await ReserveIdsAsync(connection, after, count, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsStoreFailure(e, cancellationToken))
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

    public async Task<IReadOnlyList<MessageEvent>> GetHistoryAsync(string room, int limit, long? beforeId, CancellationToken cancellationToken) =>
        _queue.MergeWithWaiting(
            await StoredOrNoneAsync((c, ct) => ReadMessagesAsync(c, room, limit, beforeId, ct), cancellationToken).ConfigureAwait(false),
            room, limit, beforeId);

    public async Task<IReadOnlyList<MessageEvent>> GetHistoryAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken) =>
        _queue.MergeWithWaitingAfter(
            await StoredOrNoneAsync((c, ct) => ReadMessagesAfterAsync(c, room, afterId, limit, ct), cancellationToken).ConfigureAwait(false),
            room, limit, afterId);

    // A failing database still leaves what is waiting in memory to show: the read gives nothing, the caller merges the rest.
    private async Task<List<MessageEvent>> StoredOrNoneAsync(Func<NpgsqlConnection, CancellationToken, Task<List<MessageEvent>>> read, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(cancellationToken);
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(deadline.Token).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await read(connection, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsStoreFailure(e, cancellationToken))
        {
            Failed(e);
            return [];
        }
    }

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
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    // What counts as the database failing (kept for a retry, Degraded) rather than a bug: Npgsql's errors, and
    // running out of CommandTimeoutMs — but not the caller giving up.
    private static bool IsStoreFailure(Exception e, CancellationToken caller) =>
        e is NpgsqlException || (e is OperationCanceledException && !caller.IsCancellationRequested);

    private CommandDeadline Deadline(CancellationToken cancellationToken) =>
        new(TimeSpan.FromMilliseconds(_options.CommandTimeoutMs), _time, cancellationToken);

    private async Task RunOrRetryLaterAsync(string room, StoredRoom? save, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(cancellationToken);
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(deadline.Token).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await WriteRoomAsync(connection, room, save, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsStoreFailure(e, cancellationToken))
        {
            Failed(e);
            KeepRoomWrite(room, save);
        }
    }

    private Task WriteRoomAsync(NpgsqlConnection connection, string room, StoredRoom? save, CancellationToken cancellationToken) =>
        save is null ? DeleteRoomAsync(connection, room, cancellationToken) : UpsertRoomAsync(connection, save, cancellationToken);
}
