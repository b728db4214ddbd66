using System.Data.Common;

namespace ImOrleans.Grains.Storage;

/// <summary>
/// What a <c>PRAGMA wal_checkpoint</c> reports: frames in the log when it began, and how many of those are now in the
/// database file.
/// </summary>
internal readonly record struct CheckpointResult(bool Busy, long LogFrames, long CheckpointedFrames);

/// <summary>The SQLite write-ahead-log statements the writer and the checkpointer share.</summary>
internal static class SqliteWal
{
    /// <summary>
    /// When a commit starts the log over, a log file larger than this is cut back to it, so one burst does not keep
    /// a huge file; below it the file is kept and overwritten, which is cheaper than growing it again.
    /// </summary>
    public const long JournalSizeLimitBytes = 64L * 1024 * 1024;

    /// <summary>Sets the log size limit of <paramref name="connection"/> (a per-connection setting, applied by the connection that starts the log over).</summary>
    public static void LimitLogSize(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA journal_size_limit = {JournalSizeLimitBytes}";
        command.ExecuteNonQuery();
    }

    public static CheckpointResult Checkpoint(DbConnection connection, string mode)
    {
        LimitLogSize(connection);
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode})";
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new CheckpointResult(reader.GetInt64(0) != 0, reader.GetInt64(1), reader.GetInt64(2))
            : default;
    }
}
