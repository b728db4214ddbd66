using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ImOrleans.Grains.Storage;

/// <summary>
/// Makes the SQLite writer's commits durable on a thread of its own, so that the writer builds the next batch while
/// the disk writes the last one. The writer commits with synchronous = NORMAL (no fsync: the commit is in the log file,
/// safe against a process crash) and hands each committed batch here; this loop fsyncs the log file once for every
/// batch queued by then and only then completes their waiters. An fsync covers everything written to the file before
/// it began, whichever connection wrote it, so grain-state commits that a barrier waits for are covered too.
/// Before, the writer's commit included the fsync (synchronous = FULL) and the writer sat idle for it: half its time
/// in the chat benchmark.
/// </summary>
internal sealed partial class SqliteWalSync(string walPath, ILogger logger)
{
    private readonly Channel<CommittedBatch> _committed = Channel.CreateUnbounded<CommittedBatch>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true }); // the writer wakes this thread itself

    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>1 when the log file may have been made since the last sync: its directory entry must be synced once too.</summary>
    private int _logMayBeNew = 1;

    private long _completedSyncs;

    /// <summary>Syncs of the log completed so far.</summary>
    public long CompletedSyncs => Interlocked.Read(ref _completedSyncs);

    /// <summary>Completes when the loop has synced and completed every batch handed to it after <see cref="Complete"/>.</summary>
    public Task Stopped => _stopped.Task;

    public void Start(int nice)
    {
        var thread = new Thread(() =>
        {
            ThreadNice.TrySet(nice);
            try
            {
                Run();
                _stopped.SetResult();
            }
            catch (Exception ex)
            {
                _stopped.SetException(ex);
            }
        })
        { IsBackground = true, Name = "Message store sync" };
        thread.Start();
    }

    /// <summary>Hands over a committed batch; its waiters complete after the next fsync of the log.</summary>
    public void Add(CommittedBatch batch) => _committed.Writer.TryWrite(batch);

    /// <summary>The writer opened a connection: if the log file was deleted meanwhile (every connection closed), it is new.</summary>
    public void LogMayBeNew() => Volatile.Write(ref _logMayBeNew, 1);

    /// <summary>No more batches will come; the loop ends once those already handed over are done.</summary>
    public void Complete() => _committed.Writer.TryComplete();

    private void Run()
    {
        var reader = _committed.Reader;
        var batches = new List<CommittedBatch>();
        while (WaitToRead(reader))
        {
            while (reader.TryRead(out var batch))
            {
                batches.Add(batch);
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                SyncLog();
                Interlocked.Increment(ref _completedSyncs);
                MessageStoreMetrics.RecordSync(started, batches.Sum(b => b.Writes.Length));
                foreach (var batch in batches)
                {
                    batch.Complete();
                }
            }
            catch (Exception ex)
            {
                // Committed but not known to be on disk: the senders are told it failed and resend; a resend finds the
                // committed message (deduplicated by client message id) or stores it again.
                LogSyncFailed(logger, ex, batches.Sum(b => b.Writes.Length));
                foreach (var batch in batches)
                {
                    batch.Fail(ex);
                }
            }

            batches.Clear();
        }
    }

    private void SyncLog()
    {
        try
        {
            using var log = File.OpenHandle(walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            if (OperatingSystem.IsLinux())
            {
                // fdatasync, as SQLite itself syncs: the file's data, and its size when that changed, but not the
                // modification time every write changes (fsync would write the inode on every sync too).
                if (Fdatasync(log) != 0)
                {
                    throw new IOException($"fdatasync of {walPath} failed (errno {Marshal.GetLastPInvokeError()}).");
                }
            }
            else
            {
                RandomAccess.FlushToDisk(log);
            }
        }
        catch (FileNotFoundException)
        {
            // SQLite deletes the log only when its last connection closes, after copying it into the database file
            // and syncing that: nothing in it is left to sync.
            return;
        }

        if (Interlocked.Exchange(ref _logMayBeNew, 0) == 1 && OperatingSystem.IsLinux())
        {
            // A new file's name is in its directory, which has to reach the disk as well (once per new file).
            SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(walPath))!);
        }
    }

    private static void SyncDirectory(string path)
    {
        // .NET opens no directory handles, so libc's own calls.
        var fd = Open(path, OpenReadOnlyDirectory);
        if (fd < 0)
        {
            throw new IOException($"Could not open {path} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of {path} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            Close(fd);
        }
    }

    private const int OpenReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY (Linux)

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static extern int Fdatasync(Microsoft.Win32.SafeHandles.SafeFileHandle fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    private static bool WaitToRead(ChannelReader<CommittedBatch> reader)
    {
        var wait = reader.WaitToReadAsync();
        return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    [LoggerMessage(7, LogLevel.Error, "Syncing the SQLite log to disk failed; the {Count} writes committed since the last sync are failed back to their senders")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception, int count);
}

/// <summary>A batch the writer committed (not yet synced), with which of its writes applied.</summary>
internal sealed class CommittedBatch(PendingWrite[] writes, bool[] applied)
{
    public PendingWrite[] Writes { get; } = writes;

    public void Complete() => MessageStore.CompleteBatch(Writes, applied);

    public void Fail(Exception ex)
    {
        foreach (var write in Writes)
        {
            write.TrySetException(ex);
        }
    }
}
