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
    public static CheckpointResult Checkpoint(DbConnection connection, string mode)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode})";
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new CheckpointResult(reader.GetInt64(0) != 0, reader.GetInt64(1), reader.GetInt64(2))
            : default;
    }
}
