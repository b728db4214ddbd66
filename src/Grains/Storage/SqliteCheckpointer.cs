using Microsoft.Extensions.Logging;

namespace ImOrleans.Grains.Storage;

/// <summary>
/// Copies the SQLite write-ahead log back into the database file in the background (connections
/// opened by <see cref="SqliteDataSource"/> never do it on commit). A PASSIVE checkpoint never
/// blocks the writer or readers; when it has copied everything, the next commit starts the log
/// over, so the log stays about as large as the writes of one interval.
/// </summary>
internal sealed partial class SqliteCheckpointer(SqliteDataSource dataSource, ILogger<SqliteCheckpointer> logger)
{
    /// <summary>Time between checkpoints.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    // Truncate the log file back to this size after a reset, so one burst does not keep a huge file.
    private const long JournalSizeLimitBytes = 64L * 1024 * 1024;

    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops the loop and makes a last, full checkpoint (the writer has stopped by then).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is { } loop)
        {
            await loop.WaitAsync(cancellationToken);
        }

        Checkpoint("TRUNCATE");
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                Checkpoint("PASSIVE");
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Checkpoint(string mode)
    {
        try
        {
            using var connection = dataSource.OpenConnection();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA journal_size_limit = {JournalSizeLimitBytes}; PRAGMA wal_checkpoint({mode});";
            command.ExecuteNonQuery();
        }
        catch (Exception ex)
        {
            // The log only grows until the next checkpoint succeeds; nothing committed is at risk.
            LogCheckpointFailed(logger, ex, mode);
        }
    }

    [LoggerMessage(10, LogLevel.Warning, "SQLite {Mode} checkpoint failed")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception, string mode);
}
