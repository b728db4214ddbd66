using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ImOrleans.Grains.Storage;

/// <summary>
/// Opens SQLite connections with the settings every writer of the shared database file needs.
/// Both the message store and Orleans' ADO.NET grain storage open connections through it.
/// </summary>
internal sealed class SqliteDataSource(string connectionString) : DbDataSource
{
    // busy_timeout: SQLite waits for the write lock itself, in steps of a few ms. Without it
    // Microsoft.Data.Sqlite retries a busy statement after a fixed 150 ms sleep, so a grain-state
    // write that meets the group-commit writer's transaction would stall (and block a pool thread).
    // synchronous=NORMAL (WAL): a commit is safe against a process crash at once, and against power loss once a later
    // commit fsyncs the WAL. The message store's group-commit writer runs with synchronous=FULL, so every batch fsyncs
    // the WAL and everything written before it; grain state waits for that with IMessageStore.MakeDurableAsync before
    // it answers. A grain-state write thus costs no fsync of its own (it was one fsync per write, serialised on the
    // database lock, while the writer shared one among hundreds of messages).
    // wal_autocheckpoint=0: no commit copies the WAL back into the database file itself (that made
    // the group-commit writer stall and copy hot pages again on every batch); SqliteCheckpointer
    // does it in the background, once per interval for all the commits since.
    // cache_size=-32768 (32 MiB; the default is 2 MiB): every batch the writer commits lands on the newest pages of
    // thousands of conversations, and each page missing from the cache is a read system call.
    // journal_size_limit (64 MiB): a per-connection setting, applied by whichever connection's commit starts the log
    // over (the writer's, mostly, but grain-state writes too): a larger log file is cut back to it then, so one burst
    // does not keep a huge file; below it the file is kept and overwritten, which is cheaper than growing it again.
    public const long JournalSizeLimitBytes = 64L * 1024 * 1024;

    private static readonly string ConnectionPragmas =
        "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -32768; " +
        $"PRAGMA journal_size_limit = {JournalSizeLimitBytes};";

    public override string ConnectionString { get; } = connectionString;

    protected override DbConnection CreateDbConnection() => new SqliteConnection(ConnectionString);

    protected override DbConnection OpenDbConnection()
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = ConnectionPragmas;
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    // Microsoft.Data.Sqlite has no truly asynchronous I/O: its async methods complete synchronously.
    protected override ValueTask<DbConnection> OpenDbConnectionAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(OpenDbConnection());
}
