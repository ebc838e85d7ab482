using Microsoft.Data.Sqlite;

namespace SocketGateway.Storage.Sqlite;

/// <summary>
/// The schema, as numbered steps applied in order at start; <c>PRAGMA user_version</c> records the last one
/// applied, so a database made by an older version is upgraded in place.
/// </summary>
public static class SchemaMigrations
{
    private static readonly string[] Steps =
    [
        // 1: rooms and their messages.
        """
        CREATE TABLE rooms (
            name        TEXT PRIMARY KEY NOT NULL,
            topic       TEXT NULL,
            max_members INTEGER NULL,
            created_at  INTEGER NOT NULL
        );
        CREATE TABLE messages (
            id     INTEGER PRIMARY KEY NOT NULL,
            room   TEXT NOT NULL,
            sender TEXT NOT NULL,
            via    TEXT NOT NULL,
            kind   TEXT NOT NULL,
            text   TEXT NOT NULL,
            ts     INTEGER NOT NULL
        );
        CREATE INDEX ix_messages_room_id ON messages (room, id);
        """,

        // 2: the message-id reservation, so ids seen before a crash are never handed out again; age pruning.
        """
        CREATE TABLE counters (
            name  TEXT PRIMARY KEY NOT NULL,
            value INTEGER NOT NULL
        );
        INSERT INTO counters (name, value) SELECT 'message_id', COALESCE(MAX(id), 0) FROM messages;
        CREATE INDEX ix_messages_ts ON messages (ts);
        """,

        // 3: identity. Messages keep their sender's account; private rooms; the nicks accounts signed in under (kept
        // from guests); each room's invites, bans and operators by account.
        """
        ALTER TABLE messages ADD COLUMN account TEXT NULL;
        ALTER TABLE rooms ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE account_nicks (
            nick       TEXT PRIMARY KEY NOT NULL,
            account    TEXT NOT NULL,
            signed_in  INTEGER NOT NULL
        );
        CREATE TABLE room_grants (
            room    TEXT NOT NULL,
            account TEXT NOT NULL,
            kind    TEXT NOT NULL,
            PRIMARY KEY (room, account, kind)
        );
        """,

        // 4: bridges to other socket services, started again after a restart.
        """
        CREATE TABLE bridges (
            id         TEXT PRIMARY KEY NOT NULL,
            room       TEXT NOT NULL,
            host       TEXT NOT NULL,
            port       INTEGER NOT NULL,
            framing    TEXT NOT NULL,
            nick       TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX ix_bridges_nick ON bridges (lower(nick));
        """,
    ];

    public static int LatestVersion => Steps.Length;

    /// <summary>Applies every step above the database's version, up to <paramref name="targetVersion"/>, each in its own transaction.</summary>
    public static int Apply(SqliteConnection connection, int? targetVersion = null)
    {
        var target = targetVersion ?? LatestVersion;
        var version = CurrentVersion(connection);
        if (version > LatestVersion)
        {
            throw new InvalidOperationException($"the database has schema version {version}, newer than this gateway's {LatestVersion}");
        }

        for (; version < target; version++)
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Steps[version] + $"\nPRAGMA user_version = {version + 1};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }

        return version;
    }

    public static int CurrentVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
