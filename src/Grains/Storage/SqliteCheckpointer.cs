using Microsoft.Extensions.Logging;

namespace ImOrleans.Grains.Storage;

/// <summary>
/// Copies the SQLite write-ahead log back into the database file in the background (connections opened by
/// <see cref="SqliteDataSource"/> never do it on commit). A PASSIVE checkpoint never blocks the writer or readers,
/// but it copies the log only as it was when it began, and the log starts over only once a checkpoint has copied
/// all of it: while the group-commit writer kept appending, that never happened, and the log grew by every page of
/// every commit (1.6 GB in 30 s of the chat benchmark, with a sixth of the server's CPU spent extending the file).
/// So after each checkpoint the writer copies the rest itself between two batches
/// (<see cref="MessageStore.RequestWalCatchUp"/>), and its next commit starts the log over: the log stays about as
/// large as the writes of one interval.
/// </summary>
internal sealed partial class SqliteCheckpointer(SqliteDataSource dataSource, MessageStore writer, ILogger<SqliteCheckpointer> logger, TimeSpan? interval = null)
{
    /// <summary>
    /// Time between checkpoints unless another is given. 2 s made the writer's catch-ups rarer but longer: side by
    /// side with 500 ms, the same chat throughput and a slightly longer latency tail at 4,000 msgs/s.
    /// </summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(500);

    private readonly TimeSpan _interval = interval ?? DefaultInterval;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    /// <summary>
    /// Starts the loop on a thread of its own: SQLite's calls block (a page write waited up to 75 ms, an fsync 27 ms,
    /// under the chat benchmark on a slow hour), and on a pool thread they held one of the few workers the grains and
    /// the edge run on, twice a second (docs/benchmarks.md, session 25, item 1).
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= DedicatedThread.Start("SQLite checkpointer", Run);
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

    private void Run()
    {
        try
        {
            // The wait returns true once stopping is asked for; each interval is counted from the end of the last checkpoint.
            while (!_stopping.Token.WaitHandle.WaitOne(_interval))
            {
                CheckpointLeavingLittleToTheWriter();
            }
        }
        catch (Exception ex)
        {
            LogLoopStopped(logger, ex);
            throw;
        }
    }

    /// <summary>
    /// A PASSIVE checkpoint, then more, each copying what was committed while the one before ran, until a pass had
    /// little to copy (or after <see cref="MaxPasses"/>); then the writer copies the rest between two batches. The
    /// writer commits nothing while it copies, so what it copies is every send's latency: a single pass left it the
    /// frames of a whole pass, about 600 pages and an fsync of the database (8-10 ms at 8,000 msgs/s, twice a second).
    /// From the second pass on the writer holds back its tail merges, whose single commits of hundreds of pages
    /// would otherwise land in what is left to it.
    /// </summary>
    private void CheckpointLeavingLittleToTheWriter()
    {
        // The counts are of the log as it was when a pass began: whatever the writer committed while it ran is not in
        // them, so only an empty log needs no catch-up.
        if (Checkpoint("PASSIVE") is not { LogFrames: > 0 } last)
        {
            return;
        }

        writer.HoldTailMerges();
        try
        {
            for (var pass = 1; pass < MaxPasses; pass++)
            {
                if (Checkpoint("PASSIVE") is not { } next)
                {
                    break;
                }

                var grown = next.LogFrames - last.LogFrames;
                last = next;

                // A log that shrank has started over (nothing was committed during the pass before it).
                if (grown <= LittleLeftFrames)
                {
                    break;
                }
            }

            LogCheckpointed(logger, last.LogFrames, last.CheckpointedFrames);
        }
        finally
        {
            // Also ends the hold on merges, once the writer has copied the rest.
            writer.RequestWalCatchUp();
        }
    }

    /// <summary>Frames committed during a pass below which the next pass is short enough to leave to the writer.</summary>
    private const long LittleLeftFrames = 64;

    private const int MaxPasses = 8;

    private CheckpointResult? Checkpoint(string mode)
    {
        try
        {
            using var connection = dataSource.OpenConnection();
            return SqliteWal.Checkpoint(connection, mode);
        }
        catch (Exception ex)
        {
            // The log only grows until the next checkpoint succeeds; nothing committed is at risk.
            LogCheckpointFailed(logger, ex, mode);
            return null;
        }
    }

    [LoggerMessage(10, LogLevel.Warning, "SQLite {Mode} checkpoint failed")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception, string mode);

    [LoggerMessage(12, LogLevel.Error, "The SQLite checkpoint loop stopped; the log keeps growing until the silo restarts")]
    private static partial void LogLoopStopped(ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Debug, "SQLite checkpoint: {LogFrames} frames in the log, {CheckpointedFrames} of them now in the database file")]
    private static partial void LogCheckpointed(ILogger logger, long logFrames, long checkpointedFrames);
}
