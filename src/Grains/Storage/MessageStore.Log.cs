using Microsoft.Extensions.Logging;

namespace ImOrleans.Grains.Storage;

internal sealed partial class MessageStore
{
    [LoggerMessage(1, LogLevel.Error, "Message store batch of {Count} writes failed; every write of the batch is failed back to its sender")]
    private partial void LogBatchFailed(Exception exception, int count);

    [LoggerMessage(2, LogLevel.Warning, "Closing the message store's writer connection failed")]
    private partial void LogCloseFailed(Exception exception);

    [LoggerMessage(3, LogLevel.Information, "Message store writer stopped after draining its queue")]
    private partial void LogWriterStopped();

    [LoggerMessage(4, LogLevel.Warning, "The writer's catch-up checkpoint of the SQLite log failed; the log keeps growing until a later one succeeds")]
    private partial void LogWalCatchUpFailed(Exception exception);

    [LoggerMessage(6, LogLevel.Information, "The message store writer runs at the normal thread priority: raising it to nice {Nice} is not allowed here (Linux needs CAP_SYS_NICE). Under full load sends wait longer for their commit")]
    private partial void LogWriterPriorityNotRaised(int nice);

    [LoggerMessage(5, LogLevel.Debug, "Writer's catch-up checkpoint: {LogFrames} frames in the SQLite log, {CheckpointedFrames} in the database file, busy {Busy}")]
    private partial void LogWalCaughtUp(long logFrames, long checkpointedFrames, bool busy);

    [LoggerMessage(7, LogLevel.Debug, "Merged bucket {Bucket} of the message tail into im_messages: {Moved} messages; {Left} left in the tail")]
    private partial void LogTailMerged(int bucket, int moved, int left);

    [LoggerMessage(8, LogLevel.Error, "Merging bucket {Bucket} of the message tail into im_messages failed; its messages stay in the tail, where reads find them")]
    private partial void LogTailMergeFailed(Exception exception, int bucket);
}
