using Microsoft.Data.Sqlite;
using SocketGateway.Core.Events;
using SocketGateway.Core.Storage;

namespace SocketGateway.Storage.Sqlite;

public sealed partial class SqliteChatStore
{
    private static List<StoredRoom> ReadRooms(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT r.name, r.topic, r.max_members, r.created_at,
                   COALESCE((SELECT MAX(m.id) FROM messages m WHERE m.room = r.name), 0), r.private
            FROM rooms r
            """;
        using var reader = command.ExecuteReader();
        var rooms = new List<StoredRoom>();
        while (reader.Read())
        {
            rooms.Add(new StoredRoom(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.GetInt64(4),
                reader.GetInt64(5) != 0));
        }

        return rooms;
    }

    private static List<StoredGrant> ReadGrants(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT room, account, kind FROM room_grants ORDER BY room, kind, account";
        using var reader = command.ExecuteReader();
        var grants = new List<StoredGrant>();
        while (reader.Read())
        {
            grants.Add(new StoredGrant(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return grants;
    }

    private static void WriteGrant(SqliteConnection connection, StoredGrant grant, bool granted)
    {
        using var command = connection.CreateCommand();
        command.CommandText = granted
            ? "INSERT OR IGNORE INTO room_grants (room, account, kind) VALUES ($room, $account, $kind)"
            : "DELETE FROM room_grants WHERE room = $room AND account = $account AND kind = $kind";
        command.Parameters.AddWithValue("$room", grant.Room);
        command.Parameters.AddWithValue("$account", grant.Account);
        command.Parameters.AddWithValue("$kind", grant.Kind);
        command.ExecuteNonQuery();
    }

    private static void WriteNickOwner(SqliteConnection connection, string nick, string account, DateTimeOffset at)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO account_nicks (nick, account, signed_in) VALUES ($nick, $account, $at)
            ON CONFLICT (nick) DO UPDATE SET account = excluded.account, signed_in = excluded.signed_in
            """;
        command.Parameters.AddWithValue("$nick", nick.ToLowerInvariant());
        command.Parameters.AddWithValue("$account", account);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }

    private static string? ReadNickOwner(SqliteConnection connection, string nick)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT account FROM account_nicks WHERE nick = $nick";
        command.Parameters.AddWithValue("$nick", nick.ToLowerInvariant());
        return command.ExecuteScalar() as string;
    }

    private static long ReadHighWaterMark(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT MAX(COALESCE((SELECT value FROM counters WHERE name = 'message_id'), 0),
                       COALESCE((SELECT MAX(id) FROM messages), 0))
            """;
        return (long)command.ExecuteScalar()!;
    }

    private static void UpsertRoom(SqliteConnection connection, StoredRoom room)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO rooms (name, topic, max_members, created_at, private) VALUES ($name, $topic, $max, $created, $private)
            ON CONFLICT (name) DO UPDATE SET topic = excluded.topic, max_members = excluded.max_members, private = excluded.private
            """;
        command.Parameters.AddWithValue("$private", room.Private ? 1 : 0);
        command.Parameters.AddWithValue("$name", room.Name);
        command.Parameters.AddWithValue("$topic", (object?)room.Topic ?? DBNull.Value);
        command.Parameters.AddWithValue("$max", (object?)room.MaxMembers ?? DBNull.Value);
        command.Parameters.AddWithValue("$created", room.CreatedAt.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }

    private static void DeleteRoom(SqliteConnection connection, string room)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM messages WHERE room = $name; DELETE FROM room_grants WHERE room = $name; DELETE FROM rooms WHERE name = $name;";
        command.Parameters.AddWithValue("$name", room);
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    // One statement, so two writers sharing the file each get a block of their own.
    private static long ReserveIds(SqliteConnection connection, long after, int count)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO counters (name, value) VALUES ('message_id', $after + $count)
            ON CONFLICT (name) DO UPDATE SET value = MAX(value, $after) + $count
            RETURNING value
            """;
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$count", count);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// The writer's prepared INSERT, kept for as long as its connection: a batch of one message (a REST post waiting
    /// for its commit) must not pay for compiling the statement again.
    /// </summary>
    private sealed class MessageInsert : IDisposable
    {
        private readonly SqliteCommand _command;
        private readonly SqliteParameter _id;
        private readonly SqliteParameter _room;
        private readonly SqliteParameter _sender;
        private readonly SqliteParameter _via;
        private readonly SqliteParameter _kind;
        private readonly SqliteParameter _text;
        private readonly SqliteParameter _ts;
        private readonly SqliteParameter _account;

        public MessageInsert(SqliteConnection connection)
        {
            Connection = connection;
            _command = connection.CreateCommand();
            // A message of a room closed meanwhile (or closed and created again since) is not kept.
            _command.CommandText = """
                INSERT OR IGNORE INTO messages (id, room, sender, via, kind, text, ts, account)
                SELECT $id, $room, $sender, $via, $kind, $text, $ts, $account
                WHERE EXISTS (SELECT 1 FROM rooms WHERE name = $room AND created_at <= $ts)
                """;
            _id = _command.Parameters.Add("$id", SqliteType.Integer);
            _room = _command.Parameters.Add("$room", SqliteType.Text);
            _sender = _command.Parameters.Add("$sender", SqliteType.Text);
            _via = _command.Parameters.Add("$via", SqliteType.Text);
            _kind = _command.Parameters.Add("$kind", SqliteType.Text);
            _text = _command.Parameters.Add("$text", SqliteType.Text);
            _ts = _command.Parameters.Add("$ts", SqliteType.Integer);
            _account = _command.Parameters.Add("$account", SqliteType.Text);
            _command.Prepare();
        }

        public SqliteConnection Connection { get; }

        /// <summary>Writes the batch in one transaction.</summary>
        public void Write(IReadOnlyList<MessageEvent> batch)
        {
            using var transaction = Connection.BeginTransaction();
            _command.Transaction = transaction;
            foreach (var message in batch)
            {
                _id.Value = message.Id;
                _room.Value = message.Room;
                _sender.Value = message.From;
                _via.Value = message.Via;
                _kind.Value = message.Type;
                _text.Value = message.Text;
                _ts.Value = message.Ts.ToUnixTimeMilliseconds();
                _account.Value = (object?)message.Account ?? DBNull.Value;
                _command.ExecuteNonQuery();
            }

            transaction.Commit();
            _command.Transaction = null;
        }

        public void Dispose() => _command.Dispose();
    }

    private static List<MessageEvent> ReadMessages(SqliteConnection connection, string room, int limit, long? beforeId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, room, sender, via, kind, text, ts, account FROM messages
            WHERE room = $room AND id < $before
            ORDER BY id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$room", room);
        command.Parameters.AddWithValue("$before", beforeId ?? long.MaxValue);
        command.Parameters.AddWithValue("$limit", limit);
        var messages = ReadAll(command);
        messages.Reverse();
        return messages;
    }

    private static List<MessageEvent> ReadMessagesAfter(SqliteConnection connection, string room, long afterId, int limit)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, room, sender, via, kind, text, ts, account FROM messages
            WHERE room = $room AND id > $after
            ORDER BY id LIMIT $limit
            """;
        command.Parameters.AddWithValue("$room", room);
        command.Parameters.AddWithValue("$after", afterId);
        command.Parameters.AddWithValue("$limit", limit);
        return ReadAll(command);
    }

    private static List<MessageEvent> ReadAll(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var messages = new List<MessageEvent>();
        while (reader.Read())
        {
            messages.Add(new MessageEvent(
                reader.GetString(4),
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(5),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                reader.GetString(3),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return messages;
    }

    private static int Prune(SqliteConnection connection, string room, int keep)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM messages WHERE room = $room
              AND id <= (SELECT id FROM messages WHERE room = $room ORDER BY id DESC LIMIT 1 OFFSET $keep)
            """;
        command.Parameters.AddWithValue("$room", room);
        command.Parameters.AddWithValue("$keep", keep);
        return command.ExecuteNonQuery();
    }

    private static int PruneOlderThan(SqliteConnection connection, DateTimeOffset cutoff)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM messages WHERE ts < $cutoff";
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
        return command.ExecuteNonQuery();
    }

    private static List<string> ReadRoomNames(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM rooms";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
