using Microsoft.Data.Sqlite;

namespace ImOrleans.Grains.Storage;

/// <summary>
/// Creates (idempotently) everything the silo keeps in its SQLite file: the message and receipt
/// tables, and the table and queries Orleans' ADO.NET grain storage reads at start (the NuGet
/// package ships no SQL; a missing OrleansQuery row stops the silo from starting).
/// </summary>
internal static class SqliteSchema
{
    /// <summary>The columns of a message, in im_messages and in the tail's tables (created by the store: MessageStore.Tail.cs).</summary>
    internal const string MessageColumns = """
        conversation_id TEXT    NOT NULL,
                    seq             BIGINT  NOT NULL,
                    client_msg_id   TEXT    NOT NULL,
                    sender_id       TEXT    NOT NULL,
                    msg_type        INTEGER NOT NULL,
                    content         TEXT    NOT NULL,
                    attachments     TEXT    NULL,
                    client_time_ms  BIGINT  NOT NULL,
                    server_time_ms  BIGINT  NOT NULL,
                    status          INTEGER NOT NULL
        """;

    // WITHOUT ROWID: each table is its primary-key B-tree, not a rowid B-tree plus a key index (one B-tree less to
    // write per row; files created before keep their rowid tables and work the same).
    private const string Tables = $"""
        CREATE TABLE IF NOT EXISTS im_messages (
            {MessageColumns},
            PRIMARY KEY (conversation_id, seq)
        ) WITHOUT ROWID;

        -- No index on client_msg_id: its leaf was a second random page written per message, as much as the row's
        -- own. Resends are matched in memory, else by reading the conversation's newest messages (MessageLog).
        DROP INDEX IF EXISTS ix_im_messages_client_msg_id;

        CREATE TABLE IF NOT EXISTS im_receipts (
            conversation_id TEXT   NOT NULL,
            user_id         TEXT   NOT NULL,
            delivered_seq   BIGINT NOT NULL,
            read_seq        BIGINT NOT NULL,
            PRIMARY KEY (conversation_id, user_id)
        ) WITHOUT ROWID;

        -- Messages a user deleted for themselves (R19): hidden from that user's pulls on every device.
        CREATE TABLE IF NOT EXISTS im_hidden (
            user_id         TEXT   NOT NULL,
            conversation_id TEXT   NOT NULL,
            seq             BIGINT NOT NULL,
            PRIMARY KEY (user_id, conversation_id, seq)
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS OrleansQuery (
            QueryKey  TEXT NOT NULL PRIMARY KEY,
            QueryText TEXT NOT NULL
        );

        -- The hashes are written because the provider sends them; the key is the clear values, so
        -- hash collisions cannot mix rows. A missing key extension is stored as '' (not NULL) so
        -- that it can take part in the primary key.
        CREATE TABLE IF NOT EXISTS OrleansStorage (
            GrainIdHash            INTEGER NOT NULL,
            GrainIdN0              BIGINT  NOT NULL,
            GrainIdN1              BIGINT  NOT NULL,
            GrainTypeHash          INTEGER NOT NULL,
            GrainTypeString        TEXT    NOT NULL,
            GrainIdExtensionString TEXT    NOT NULL,
            ServiceId              TEXT    NOT NULL,
            PayloadBinary          BLOB    NULL,
            ModifiedOn             TEXT    NOT NULL,
            Version                INTEGER NOT NULL,
            PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString)
        );
        """;

    private const string GrainKeyMatches = """
        ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
                AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
                AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '')
        """;

    private const string ReadFromStorage = $"""
        SELECT PayloadBinary, Version
        FROM OrleansStorage
        WHERE {GrainKeyMatches};
        """;

    // Optimistic concurrency, as the provider expects it: a NULL version inserts only if the row is
    // absent; version N updates only the row still at N. The result is one row with the new version;
    // on a conflict it is the version sent (or no row when NULL was sent), which the provider turns
    // into an InconsistentStateException. changes() is the row count of the upsert just before it.
    private const string WriteToStorage = $"""
        INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
            GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
        SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
            COALESCE(@GrainIdExtensionString, ''), @ServiceId, @PayloadBinary, datetime('now'), 1
        WHERE @GrainStateVersion IS NULL OR EXISTS (SELECT 1 FROM OrleansStorage WHERE {GrainKeyMatches})
        ON CONFLICT (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString) DO UPDATE SET
            PayloadBinary = excluded.PayloadBinary,
            ModifiedOn = excluded.ModifiedOn,
            Version = OrleansStorage.Version + 1
        WHERE @GrainStateVersion IS NOT NULL AND OrleansStorage.Version = @GrainStateVersion;

        SELECT COALESCE(@GrainStateVersion, 0) + 1 AS NewGrainStateVersion WHERE changes() > 0
        UNION ALL
        SELECT @GrainStateVersion AS NewGrainStateVersion WHERE changes() = 0 AND @GrainStateVersion IS NOT NULL;
        """;

    private const string ClearStorage = $"""
        UPDATE OrleansStorage
        SET PayloadBinary = NULL, ModifiedOn = datetime('now'), Version = Version + 1
        WHERE {GrainKeyMatches} AND Version = @GrainStateVersion;

        SELECT @GrainStateVersion + 1 AS NewGrainStateVersion WHERE changes() > 0
        UNION ALL
        SELECT @GrainStateVersion AS NewGrainStateVersion WHERE changes() = 0 AND @GrainStateVersion IS NOT NULL;
        """;

    /// <summary>Creates the file if needed and brings its schema up to date.</summary>
    public static void Apply(SqliteDataSource dataSource)
    {
        using var connection = dataSource.OpenConnection();
        using (var wal = connection.CreateCommand())
        {
            // Stored in the file, so it holds for every later connection; it cannot be set inside a transaction.
            // WAL: readers never block the writer and a commit appends to the log instead of rewriting pages.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        using (var tables = connection.CreateCommand())
        {
            tables.Transaction = transaction;
            tables.CommandText = Tables;
            tables.ExecuteNonQuery();
        }

        using (var queries = connection.CreateCommand())
        {
            queries.Transaction = transaction;
            // Upsert, so a silo started with newer query text replaces the old text.
            queries.CommandText =
                "INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES (@key, @text) " +
                "ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText";
            var key = queries.CreateParameter();
            key.ParameterName = "key";
            var text = queries.CreateParameter();
            text.ParameterName = "text";
            queries.Parameters.Add(key);
            queries.Parameters.Add(text);
            foreach (var (name, sql) in (ReadOnlySpan<(string, string)>)
                [("ReadFromStorageKey", ReadFromStorage), ("WriteToStorageKey", WriteToStorage), ("ClearStorageKey", ClearStorage)])
            {
                key.Value = name;
                text.Value = sql;
                queries.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }
}
