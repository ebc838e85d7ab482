using Microsoft.Data.Sqlite;
using SocketGateway.Core.Storage;

namespace SocketGateway.Storage.Sqlite;

public sealed partial class SqliteChatStore : IBridgeStore
{
    private const int UniqueViolation = 2067; // SQLITE_CONSTRAINT_UNIQUE

    public Task SaveBridgeAsync(StoredBridge bridge, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO bridges (id, room, host, port, framing, nick, created_at)
            VALUES ($id, $room, $host, $port, $framing, $nick, $created)
            ON CONFLICT (id) DO UPDATE SET room = excluded.room, host = excluded.host, port = excluded.port,
                framing = excluded.framing, nick = excluded.nick, created_at = excluded.created_at
            """;
        command.Parameters.AddWithValue("$id", bridge.Id);
        command.Parameters.AddWithValue("$room", bridge.Room);
        command.Parameters.AddWithValue("$host", bridge.Host);
        command.Parameters.AddWithValue("$port", bridge.Port);
        command.Parameters.AddWithValue("$framing", bridge.Framing);
        command.Parameters.AddWithValue("$nick", bridge.Nick);
        command.Parameters.AddWithValue("$created", bridge.CreatedAt.ToUnixTimeMilliseconds());
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == UniqueViolation)
        {
            throw BridgeStores.NickTaken(bridge);
        }

        return Task.CompletedTask;
    }

    public Task DeleteBridgeAsync(string id, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM bridges WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StoredBridge>> ListBridgesAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, room, host, port, framing, nick, created_at FROM bridges ORDER BY created_at, id";
        using var reader = command.ExecuteReader();
        var bridges = new List<StoredBridge>();
        while (reader.Read())
        {
            bridges.Add(new StoredBridge(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                reader.GetString(4), reader.GetString(5), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
        }

        return Task.FromResult<IReadOnlyList<StoredBridge>>(bridges);
    }
}
