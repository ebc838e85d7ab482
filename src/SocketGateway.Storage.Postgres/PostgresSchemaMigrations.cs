using Npgsql;

namespace SocketGateway.Storage.Postgres;

/// <summary>
/// The schema, as numbered steps applied in order at start. <c>schema_version</c> records the last one applied, so a
/// database made by an older version is upgraded in place. Each step runs in its own transaction under an advisory
/// lock, so gateway nodes starting together against one database apply each step exactly once.
/// </summary>
public static class PostgresSchemaMigrations
{
    // Any constant shared by every node; it only has to differ from other applications' advisory locks.
    private const long MigrationLock = 0x5347_5753_4348_454D;

    private static readonly string[] Steps =
    [
        // 1: rooms, their messages, and the message-id reservation (ids seen before a crash are never handed out again).
        """
        CREATE TABLE rooms (
            name        text PRIMARY KEY,
            topic       text NULL,
            max_members integer NULL,
            created_at  timestamptz NOT NULL
        );
        CREATE TABLE messages (
            id     bigint PRIMARY KEY,
            room   text NOT NULL,
            sender text NOT NULL,
            via    text NOT NULL,
            kind   text NOT NULL,
            text   text NOT NULL,
            ts     timestamptz NOT NULL
        );
        CREATE INDEX ix_messages_room_id ON messages (room, id);
        CREATE TABLE counters (
            name  text PRIMARY KEY,
            value bigint NOT NULL
        );
        INSERT INTO counters (name, value) VALUES ('message_id', 0);
        """,

        // 2: age pruning (RetentionMaxAgeHours) finds old messages without reading the whole table.
        """
        CREATE INDEX ix_messages_ts ON messages (ts);
        """,

        // 3: identity. Messages keep their sender's account; private rooms; the nicks accounts signed in under (kept
        // from guests); each room's invites, bans and operators by account.
        """
        ALTER TABLE messages ADD COLUMN account text NULL;
        ALTER TABLE rooms ADD COLUMN private boolean NOT NULL DEFAULT false;
        CREATE TABLE account_nicks (
            nick      text PRIMARY KEY,
            account   text NOT NULL,
            signed_in timestamptz NOT NULL
        );
        CREATE TABLE room_grants (
            room    text NOT NULL,
            account text NOT NULL,
            kind    text NOT NULL,
            PRIMARY KEY (room, account, kind)
        );
        """,

        // 4: bridges to other socket services, started again after a restart (by whichever node holds each one's lease).
        """
        CREATE TABLE bridges (
            id         text PRIMARY KEY,
            room       text NOT NULL,
            host       text NOT NULL,
            port       integer NOT NULL,
            framing    text NOT NULL,
            nick       text NOT NULL,
            created_at timestamptz NOT NULL
        );
        CREATE UNIQUE INDEX ix_bridges_nick ON bridges (lower(nick));
        """,
    ];

    public static int LatestVersion => Steps.Length;

    /// <summary>Applies every step above the database's version, up to <paramref name="targetVersion"/>; returns the version reached.</summary>
    public static async Task<int> ApplyAsync(NpgsqlConnection connection, CancellationToken cancellationToken, int? targetVersion = null)
    {
        var target = targetVersion ?? LatestVersion;
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, $"""
                SELECT pg_advisory_xact_lock({MigrationLock});
                CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);
                INSERT INTO schema_version (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);
                """, cancellationToken).ConfigureAwait(false);
            var version = await CurrentVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (version > LatestVersion)
            {
                throw new InvalidOperationException($"the database has schema version {version}, newer than this gateway's {LatestVersion}");
            }

            if (version >= target)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return version;
            }

            await ExecuteAsync(connection, transaction, Steps[version] + $"\nUPDATE schema_version SET version = {version + 1};", cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version FROM schema_version", connection, transaction);
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
