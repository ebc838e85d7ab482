using Npgsql;
using SocketGateway.Core.Storage;

namespace SocketGateway.Storage.Postgres;

public sealed partial class PostgresChatStore : IBridgeStore
{
    public async Task SaveBridgeAsync(StoredBridge bridge, CancellationToken cancellationToken)
    {
        try
        {
            await SaveAsync(bridge, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw BridgeStores.NickTaken(bridge);
        }
    }

    private Task SaveAsync(StoredBridge bridge, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            INSERT INTO bridges (id, room, host, port, framing, nick, created_at)
            VALUES (@id, @room, @host, @port, @framing, @nick, @created)
            ON CONFLICT (id) DO UPDATE SET room = excluded.room, host = excluded.host, port = excluded.port,
                framing = excluded.framing, nick = excluded.nick, created_at = excluded.created_at
            """, command =>
        {
            command.Parameters.AddWithValue("id", bridge.Id);
            command.Parameters.AddWithValue("room", bridge.Room);
            command.Parameters.AddWithValue("host", bridge.Host);
            command.Parameters.AddWithValue("port", bridge.Port);
            command.Parameters.AddWithValue("framing", bridge.Framing);
            command.Parameters.AddWithValue("nick", bridge.Nick);
            command.Parameters.AddWithValue("created", bridge.CreatedAt.UtcDateTime);
        }, cancellationToken);

    public Task DeleteBridgeAsync(string id, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM bridges WHERE id = @id", command => command.Parameters.AddWithValue("id", id), cancellationToken);

    public async Task<IReadOnlyList<StoredBridge>> ListBridgesAsync(CancellationToken cancellationToken)
    {
        using var deadline = Deadline(cancellationToken);
        var connection = await _dataSource.OpenConnectionAsync(deadline.Token).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand(
                "SELECT id, room, host, port, framing, nick, created_at FROM bridges ORDER BY created_at, id", connection);
            var reader = await command.ExecuteReaderAsync(deadline.Token).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var bridges = new List<StoredBridge>();
                while (await reader.ReadAsync(deadline.Token).ConfigureAwait(false))
                {
                    bridges.Add(new StoredBridge(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                        reader.GetString(4), reader.GetString(5), Utc(reader.GetFieldValue<DateTime>(6))));
                }

                return bridges;
            }
        }
    }

    private async Task ExecuteAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(cancellationToken);
        var connection = await _dataSource.OpenConnectionAsync(deadline.Token).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand(sql, connection);
            bind(command);
            await command.ExecuteNonQueryAsync(deadline.Token).ConfigureAwait(false);
        }
    }
}
