using Npgsql;

namespace ImOrleans.Grains.Storage;

/// <summary>
/// Creates (idempotently) everything the silos keep in PostgreSQL: the message and receipt tables
/// (the same columns as <see cref="SqliteSchema"/>; keep the two in step), and the table and
/// queries Orleans' ADO.NET grain storage reads at start (the NuGet package ships no SQL; a missing
/// OrleansQuery row stops the silo from starting). Several silos may apply it at once: an advisory
/// lock serialises them.
/// </summary>
internal static class PostgresSchema
{
    // Any constant; it only has to be the same for every silo of every version.
    private const long SchemaLockKey = 0x494D_4F52_4C45_414E; // "IMORLEAN"

    private const string Tables = """
        CREATE TABLE IF NOT EXISTS im_messages (
            conversation_id text    NOT NULL,
            seq             bigint  NOT NULL,
            client_msg_id   text    NOT NULL,
            sender_id       text    NOT NULL,
            msg_type        integer NOT NULL,
            content         text    NOT NULL,
            attachments     text    NULL,
            client_time_ms  bigint  NOT NULL,
            server_time_ms  bigint  NOT NULL,
            status          integer NOT NULL,
            PRIMARY KEY (conversation_id, seq)
        );

        -- No index on client_msg_id: its leaf was a second random page written per message, as much as the row's
        -- own. Resends are matched in memory, else by reading the conversation's newest messages (MessageLog).
        DROP INDEX IF EXISTS ix_im_messages_client_msg_id;

        CREATE TABLE IF NOT EXISTS im_receipts (
            conversation_id text   NOT NULL,
            user_id         text   NOT NULL,
            delivered_seq   bigint NOT NULL,
            read_seq        bigint NOT NULL,
            PRIMARY KEY (conversation_id, user_id)
        );

        -- Messages a user deleted for themselves (R19): hidden from that user's pulls on every device.
        CREATE TABLE IF NOT EXISTS im_hidden (
            user_id         text   NOT NULL,
            conversation_id text   NOT NULL,
            seq             bigint NOT NULL,
            PRIMARY KEY (user_id, conversation_id, seq)
        );

        CREATE TABLE IF NOT EXISTS orleansquery (
            querykey  varchar(64) NOT NULL PRIMARY KEY,
            querytext text        NOT NULL
        );

        -- Keyed by the clear values, not the hashes, so hash collisions cannot mix rows. A missing
        -- key extension is stored as '' (not NULL) so that it can take part in the primary key.
        CREATE TABLE IF NOT EXISTS orleansstorage (
            grainidhash            integer      NOT NULL,
            grainidn0              bigint       NOT NULL,
            grainidn1              bigint       NOT NULL,
            graintypehash          integer      NOT NULL,
            graintypestring        varchar(512) NOT NULL,
            grainidextensionstring varchar(512) NOT NULL,
            serviceid              varchar(150) NOT NULL,
            payloadbinary          bytea        NULL,
            modifiedon             timestamptz  NOT NULL,
            version                integer      NOT NULL,
            PRIMARY KEY (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring)
        );
        """;

    // Every parameter is cast: the provider may send a NULL without a type, and PostgreSQL must know
    // the type of "@GrainStateVersion IS NULL". Column aliases are quoted because the provider reads
    // the result columns by their mixed-case names.
    private const string GrainKeyMatches = """
        serviceid = @ServiceId::varchar AND graintypestring = @GrainTypeString::varchar
                AND grainidn0 = @GrainIdN0::bigint AND grainidn1 = @GrainIdN1::bigint
                AND grainidextensionstring = COALESCE(@GrainIdExtensionString::varchar, '')
        """;

    private const string ReadFromStorage = $"""
        SELECT payloadbinary AS "PayloadBinary", version AS "Version"
        FROM orleansstorage
        WHERE {GrainKeyMatches};
        """;

    // Optimistic concurrency, as the provider expects it: a NULL version inserts only if the row is
    // absent; version N updates only the row still at N (a concurrent writer of the same row waits
    // for the row lock and then finds the version moved). The result is one row with the new version;
    // on a conflict it is the version sent (no row when NULL was sent), which the provider turns into
    // an InconsistentStateException.
    private const string WriteToStorage = $"""
        WITH updated AS (
            UPDATE orleansstorage
            SET payloadbinary = @PayloadBinary::bytea, modifiedon = now(), version = version + 1
            WHERE {GrainKeyMatches}
                AND @GrainStateVersion::integer IS NOT NULL AND version = @GrainStateVersion::integer
            RETURNING version
        ), inserted AS (
            INSERT INTO orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring,
                grainidextensionstring, serviceid, payloadbinary, modifiedon, version)
            SELECT @GrainIdHash::integer, @GrainIdN0::bigint, @GrainIdN1::bigint, @GrainTypeHash::integer, @GrainTypeString::varchar,
                COALESCE(@GrainIdExtensionString::varchar, ''), @ServiceId::varchar, @PayloadBinary::bytea, now(), 1
            WHERE @GrainStateVersion::integer IS NULL
            ON CONFLICT DO NOTHING
            RETURNING version
        )
        SELECT version AS "NewGrainStateVersion" FROM updated
        UNION ALL
        SELECT version FROM inserted
        UNION ALL
        SELECT @GrainStateVersion::integer WHERE @GrainStateVersion::integer IS NOT NULL AND NOT EXISTS (SELECT 1 FROM updated);
        """;

    private const string ClearStorage = $"""
        WITH updated AS (
            UPDATE orleansstorage
            SET payloadbinary = NULL, modifiedon = now(), version = version + 1
            WHERE {GrainKeyMatches} AND version = @GrainStateVersion::integer
            RETURNING version
        )
        SELECT version AS "NewGrainStateVersion" FROM updated
        UNION ALL
        SELECT @GrainStateVersion::integer WHERE @GrainStateVersion::integer IS NOT NULL AND NOT EXISTS (SELECT 1 FROM updated);
        """;

    /// <summary>The OrleansQuery rows this schema installs, by key.</summary>
    public static IReadOnlyList<(string Key, string Sql)> Queries { get; } =
        [("ReadFromStorageKey", ReadFromStorage), ("WriteToStorageKey", WriteToStorage), ("ClearStorageKey", ClearStorage)];

    /// <summary>Brings the database's schema up to date in one transaction.</summary>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            // Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog; take turns.
            lockCommand.Parameters.AddWithValue("key", SchemaLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var tables = new NpgsqlCommand(Tables, connection, transaction))
        {
            await tables.ExecuteNonQueryAsync(cancellationToken);
        }

        // Upsert, so a silo started with newer query text replaces the old text.
        await using (var queries = new NpgsqlCommand(
            "INSERT INTO orleansquery (querykey, querytext) VALUES (@key, @text) ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext",
            connection,
            transaction))
        {
            var key = queries.Parameters.Add(new NpgsqlParameter<string>("key", ""));
            var text = queries.Parameters.Add(new NpgsqlParameter<string>("text", ""));
            foreach (var (name, sql) in Queries)
            {
                key.Value = name;
                text.Value = sql;
                await queries.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
