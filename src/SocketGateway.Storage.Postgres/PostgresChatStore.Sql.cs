using Npgsql;
using NpgsqlTypes;
using SocketGateway.Core.Events;
using SocketGateway.Core.Storage;

namespace SocketGateway.Storage.Postgres;

public sealed partial class PostgresChatStore
{
    private static async Task<List<StoredRoom>> ReadRoomsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT r.name, r.topic, r.max_members, r.created_at,
                   COALESCE((SELECT MAX(m.id) FROM messages m WHERE m.room = r.name), 0), r.private
            FROM rooms r
            """, connection);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var rooms = new List<StoredRoom>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rooms.Add(new StoredRoom(
                    reader.GetString(0),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetInt32(2),
                    Utc(reader.GetFieldValue<DateTime>(3)),
                    reader.GetInt64(4),
                    reader.GetBoolean(5)));
            }

            return rooms;
        }
    }

    private static async Task<List<StoredGrant>> ReadGrantsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT room, account, kind FROM room_grants ORDER BY room, kind, account", connection);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var grants = new List<StoredGrant>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                grants.Add(new StoredGrant(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }

            return grants;
        }
    }

    private static async Task WriteGrantAsync(NpgsqlConnection connection, StoredGrant grant, bool granted, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(granted
            ? "INSERT INTO room_grants (room, account, kind) VALUES (@room, @account, @kind) ON CONFLICT DO NOTHING"
            : "DELETE FROM room_grants WHERE room = @room AND account = @account AND kind = @kind", connection);
        command.Parameters.AddWithValue("room", grant.Room);
        command.Parameters.AddWithValue("account", grant.Account);
        command.Parameters.AddWithValue("kind", grant.Kind);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteNickOwnerAsync(NpgsqlConnection connection, string nick, string account, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO account_nicks (nick, account, signed_in) VALUES (@nick, @account, @at)
            ON CONFLICT (nick) DO UPDATE SET account = excluded.account, signed_in = excluded.signed_in
            """, connection);
        command.Parameters.AddWithValue("nick", nick.ToLowerInvariant());
        command.Parameters.AddWithValue("account", account);
        command.Parameters.AddWithValue("at", at.UtcDateTime);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string?> ReadNickOwnerAsync(NpgsqlConnection connection, string nick, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT account FROM account_nicks WHERE nick = @nick", connection);
        command.Parameters.AddWithValue("nick", nick.ToLowerInvariant());
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    private static async Task<long> ReadHighWaterMarkAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT GREATEST((SELECT value FROM counters WHERE name = 'message_id'), (SELECT MAX(id) FROM messages), 0)
            """, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task UpsertRoomAsync(NpgsqlConnection connection, StoredRoom room, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO rooms (name, topic, max_members, created_at, private) VALUES (@name, @topic, @max, @created, @private)
            ON CONFLICT (name) DO UPDATE SET topic = excluded.topic, max_members = excluded.max_members, private = excluded.private
            """, connection);
        command.Parameters.AddWithValue("private", room.Private);
        command.Parameters.AddWithValue("name", room.Name);
        command.Parameters.Add(new NpgsqlParameter<string?>("topic", NpgsqlDbType.Text) { TypedValue = room.Topic });
        command.Parameters.Add(new NpgsqlParameter<int?>("max", NpgsqlDbType.Integer) { TypedValue = room.MaxMembers });
        command.Parameters.AddWithValue("created", room.CreatedAt.UtcDateTime);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // One implicit transaction: the room and its history go together.
    private static async Task DeleteRoomAsync(NpgsqlConnection connection, string room, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("DELETE FROM messages WHERE room = @name; DELETE FROM room_grants WHERE room = @name; DELETE FROM rooms WHERE name = @name;", connection);
        command.Parameters.AddWithValue("name", room);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // One atomic statement: two nodes sharing the database each get a block of their own. GREATEST puts the block
    // above ids this node handed out past its last block while the database was unreachable.
    private static async Task<long> ReserveIdsAsync(NpgsqlConnection connection, long after, int count, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            UPDATE counters SET value = GREATEST(value, @after) + @count WHERE name = 'message_id' RETURNING value
            """, connection);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("count", (long)count);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// The whole batch in one statement (arrays unnested server-side): one round trip, and after a crash a batch is
    /// all there or not at all. A message of a room closed meanwhile (or closed and created again since) is not kept;
    /// one written before, by a retry that did not hear its commit, is not written twice.
    /// </summary>
    private static async Task InsertBatchAsync(NpgsqlConnection connection, MessageEvent[] batch, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO messages (id, room, sender, via, kind, text, ts, account)
            SELECT m.id, m.room, m.sender, m.via, m.kind, m.text, m.ts, m.account
            FROM unnest(@ids, @rooms, @senders, @vias, @kinds, @texts, @ts, @accounts) AS m (id, room, sender, via, kind, text, ts, account)
            WHERE EXISTS (SELECT 1 FROM rooms r WHERE r.name = m.room AND r.created_at <= m.ts)
            ON CONFLICT (id) DO NOTHING
            """, connection);
        command.Parameters.AddWithValue("ids", batch.Select(m => m.Id).ToArray());
        command.Parameters.AddWithValue("rooms", batch.Select(m => m.Room).ToArray());
        command.Parameters.AddWithValue("senders", batch.Select(m => m.From).ToArray());
        command.Parameters.AddWithValue("vias", batch.Select(m => m.Via).ToArray());
        command.Parameters.AddWithValue("kinds", batch.Select(m => m.Type).ToArray());
        command.Parameters.AddWithValue("texts", batch.Select(m => m.Text).ToArray());
        command.Parameters.AddWithValue("ts", batch.Select(m => m.Ts.UtcDateTime).ToArray());
        command.Parameters.Add(new NpgsqlParameter<string?[]>("accounts", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = batch.Select(m => m.Account).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<MessageEvent>> ReadMessagesAsync(NpgsqlConnection connection, string room, int limit, long? beforeId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT id, room, sender, via, kind, text, ts, account FROM messages
            WHERE room = @room AND id < @before
            ORDER BY id DESC LIMIT @limit
            """, connection);
        command.Parameters.AddWithValue("room", room);
        command.Parameters.AddWithValue("before", beforeId ?? long.MaxValue);
        command.Parameters.AddWithValue("limit", (long)limit);
        var messages = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        messages.Reverse();
        return messages;
    }

    private static async Task<List<MessageEvent>> ReadMessagesAfterAsync(NpgsqlConnection connection, string room, long afterId, int limit, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT id, room, sender, via, kind, text, ts, account FROM messages
            WHERE room = @room AND id > @after
            ORDER BY id LIMIT @limit
            """, connection);
        command.Parameters.AddWithValue("room", room);
        command.Parameters.AddWithValue("after", afterId);
        command.Parameters.AddWithValue("limit", (long)limit);
        return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<MessageEvent>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var messages = new List<MessageEvent>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                messages.Add(new MessageEvent(
                    reader.GetString(4),
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(5),
                    Utc(reader.GetFieldValue<DateTime>(6)),
                    reader.GetString(3),
                    reader.IsDBNull(7) ? null : reader.GetString(7)));
            }

            return messages;
        }
    }

    private static async Task<int> PruneAsync(NpgsqlConnection connection, string room, int keep, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            DELETE FROM messages WHERE room = @room
              AND id <= (SELECT id FROM messages WHERE room = @room ORDER BY id DESC OFFSET @keep LIMIT 1)
            """, connection);
        command.Parameters.AddWithValue("room", room);
        command.Parameters.AddWithValue("keep", (long)keep);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> PruneOlderThanAsync(NpgsqlConnection connection, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("DELETE FROM messages WHERE ts < @cutoff", connection);
        command.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<string>> ReadRoomNamesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT name FROM rooms", connection);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var names = new List<string>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                names.Add(reader.GetString(0));
            }

            return names;
        }
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
