using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ImOrleans.Grains.Storage;

// Group commit: every grain's append or receipt goes into one bounded channel; one loop, on a thread of its own, drains
// whatever is queued (up to the batch size), writes it in a single transaction through prepared
// commands, commits once and only then completes the waiters. One fsync is shared by the batch,
// which is what makes durable acks cheap (per-message transactions cap out near a thousand a second).
internal sealed partial class MessageStore
{
    private Task? _writerLoop;
    private DbConnection? _writer;
    private WriterCommands? _commands;

    /// <summary>1 when the background checkpoint left frames behind that the writer should copy (see SqliteCheckpointer).</summary>
    private int _walCatchUpRequested;

    /// <summary>
    /// Asks the writer to finish the last background checkpoint between two batches, when nothing else appends, so
    /// that its next commit starts the SQLite log over. Called by <see cref="SqliteCheckpointer"/>.
    /// </summary>
    public void RequestWalCatchUp() => Volatile.Write(ref _walCatchUpRequested, 1);

    /// <summary>1 from <see cref="HoldTailMerges"/> until the writer's next WAL catch-up: commits move nothing out of the tail.</summary>
    private int _tailMergesHeld;

    /// <summary>
    /// Holds back tail merges until the next WAL catch-up. A merge is a commit of hundreds of pages; landing between the
    /// background checkpoint's last pass and the catch-up, it made the catch-up (during which nothing commits) copy them
    /// all. Called by <see cref="SqliteCheckpointer"/>, always followed by <see cref="RequestWalCatchUp"/>.
    /// </summary>
    public void HoldTailMerges() => Volatile.Write(ref _tailMergesHeld, 1);

    /// <summary>
    /// The writer thread's nice value. Every send waits for the writer, so when the cores are busy it must not wait
    /// for its turn behind the thread pool: at an equal share it got about 40 % of a core and capped the chat
    /// benchmark; raised, the same machine stored 25 % more.
    /// </summary>
    private const int WriterNice = -15;

    /// <summary>Starts the writer loop on its own thread. Called once by the silo lifecycle (or a test).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_writerLoop is null)
        {
            if (_tail is not null)
            {
                PrepareTail(_tail);
                MessageStoreMetrics.ObserveTail(_tail);
            }

            _writerLoop = DedicatedThread.Start("Message store writer", RunWriterThread);
        }

        return Task.CompletedTask;
    }

    private void RunWriterThread()
    {
        if (!ThreadNice.TrySet(WriterNice))
        {
            LogWriterPriorityNotRaised(WriterNice);
        }

        // The loop blocks this thread, which does nothing else (SQLite's calls complete synchronously anyway), so that
        // it never continues on a pool thread without the raised priority.
        RunWriter();
    }

    /// <summary>
    /// Refuses new writes and waits until everything already queued is committed (or failed).
    /// If <paramref name="cancellationToken"/> fires first, the loop still drains in the background.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_writerLoop is { } loop)
        {
            await loop.WaitAsync(cancellationToken);
        }

        if (_tail is not null)
        {
            MessageStoreMetrics.ForgetTail(_tail);
        }
    }

    private Task EnqueueAsync(PendingWrite write) =>
        _queue.Writer.TryWrite(write) ? write.Task : EnqueueWhenRoomAsync(write);

    private async Task EnqueueWhenRoomAsync(PendingWrite write)
    {
        try
        {
            await _queue.Writer.WriteAsync(write);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The message store is stopped; the write was not stored.");
        }

        await write.Task;
    }

    private void RunWriter()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingWrite>(_maxBatchSize);
        var applied = new bool[_maxBatchSize];
        while (WaitToRead(reader))
        {
            while (batch.Count < _maxBatchSize && reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            FailAppendsOfBrokenChains(batch);
            if (batch.Count == 0)
            {
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                CommitAsync(batch, applied).GetAwaiter().GetResult();
                MessageStoreMetrics.RecordCommit(started, batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    if (applied[i])
                    {
                        batch[i].TrySetResult();
                    }
                    else
                    {
                        var message = batch[i].Message!;
                        batch[i].TrySetException(new SeqTakenException(message.ConversationId, message.Seq));
                    }
                }
            }
            catch (Exception ex)
            {
                // Nothing of the batch is committed: every waiter fails and its sender retries.
                LogBatchFailed(ex, batch.Count);
                RememberBrokenChains(batch);
                CloseWriterAsync().GetAwaiter().GetResult();
                foreach (var write in batch)
                {
                    write.TrySetException(ex);
                }
            }

            RecordWriteDurations(batch);
            batch.Clear();
            CatchUpWalIfRequested();
        }

        CloseWriterAsync().GetAwaiter().GetResult();
        LogWriterStopped();
    }

    /// <summary>
    /// Append chains with a failed append, and when it failed (<see cref="Environment.TickCount64"/>). Their later
    /// appends are already queued, or will be by turns that have not yet seen the failure; none of them may be written.
    /// </summary>
    private readonly Dictionary<long, long> _brokenChains = [];

    /// <summary>How long a broken chain is remembered: far longer than any append of it can take to be queued.</summary>
    private const long BrokenChainMemoryMs = 10 * 60 * 1000;

    private void RememberBrokenChains(List<PendingWrite> batch)
    {
        var now = Environment.TickCount64;
        foreach (var (chain, brokenAt) in _brokenChains)
        {
            if (now - brokenAt > BrokenChainMemoryMs)
            {
                _brokenChains.Remove(chain);
            }
        }

        foreach (var write in batch)
        {
            if (write.Chain != 0)
            {
                _brokenChains[write.Chain] = now;
            }
        }
    }

    /// <summary>Fails, without writing them, the appends of chains that broke in an earlier batch, and takes them out of the batch.</summary>
    private void FailAppendsOfBrokenChains(List<PendingWrite> batch)
    {
        if (_brokenChains.Count == 0)
        {
            return;
        }

        var kept = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var write = batch[i];
            if (write.Chain != 0 && _brokenChains.ContainsKey(write.Chain))
            {
                write.TrySetException(new BrokenChainException(write.Message!.ConversationId, write.Message.Seq));
            }
            else
            {
                batch[kept++] = write;
            }
        }

        batch.RemoveRange(kept, batch.Count - kept);
    }

    private static void RecordWriteDurations(List<PendingWrite> batch)
    {
        if (MessageStoreMetrics.WriteLatencyEnabled)
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var write in batch)
            {
                MessageStoreMetrics.RecordWrite(write.QueuedAt, now);
            }
        }
    }

    /// <summary>Waits on the writer thread (without a thread-pool hop) until a write is queued; false once the queue is completed and empty.</summary>
    private static bool WaitToRead(ChannelReader<PendingWrite> reader)
    {
        var wait = reader.WaitToReadAsync();
        return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private async Task CommitAsync(List<PendingWrite> batch, bool[] applied)
    {
        var commands = await GetWriterCommandsAsync();
        if (commands is null)
        {
            // PostgreSQL: the whole batch in one round trip (MessageStore.Batch.cs).
            await CommitAsOneBatchAsync(_writer!, batch, applied);
            return;
        }

        // BEGIN and COMMIT are the writer's own prepared statements, not a SqliteTransaction: that one parses both
        // statements again for every batch and registers a rollback hook, which leaves a finalizable handle behind for
        // the collector (one per commit: most of what the silo finalized under load).
        var tail = _tail!;
        int merged;
        commands.Begin.Execute();
        try
        {
            WriteBatch(tail, commands, batch, applied);
            merged = Volatile.Read(ref _tailMergesHeld) == 0 ? MergeFullestBucket(tail, commands) : -1;
            commands.Commit.Execute();
        }
        catch
        {
            commands.RollBackIfOpen();
            throw;
        }

        if (merged >= 0)
        {
            tail.Merged(merged);
        }
    }

    private void WriteBatch(SqliteMessageTail tail, WriterCommands commands, List<PendingWrite> batch, bool[] applied)
    {
        var wroteRows = false;
        for (var i = 0; i < batch.Count; i++)
        {
            var write = batch[i];
            wroteRows |= !write.IsBarrier;
            if (write.IsBarrier)
            {
                applied[i] = true;
            }
            else if (write.Message is { } m)
            {
                if (write.RevokedSeq > 0)
                {
                    Revoke(tail, commands, m.ConversationId, write.RevokedSeq);
                }

                applied[i] = AppendToTail(tail, commands, m);
            }
            else if (write.Receipt is { } receipt)
            {
                var save = commands.Receipt;
                save.Bind(0, receipt.ConversationId);
                save.Bind(1, receipt.UserId);
                save.Bind(2, receipt.DeliveredSeq);
                save.Bind(3, receipt.ReadSeq);
                save.Execute();
                applied[i] = true;
            }
            else
            {
                var hide = commands.Hide;
                hide.Bind(0, write.HiddenBy);
                hide.Bind(1, write.HiddenConversationId);
                foreach (var seq in write.HiddenSeqs)
                {
                    hide.Bind(2, seq);
                    hide.Execute();
                }

                applied[i] = true;
            }
        }

        if (!wroteRows)
        {
            // Only barriers: a transaction that writes nothing commits without an fsync, so write the header's
            // user_version (unused otherwise) to make this commit sync the WAL and everything before it.
            commands.Barrier.CommandText = $"PRAGMA user_version = {++_barrierCommits % 1_000_000}";
            commands.Barrier.ExecuteNonQuery();
        }
    }

    private long _barrierCommits;

    private void CatchUpWalIfRequested()
    {
        if (_writer is null || Interlocked.Exchange(ref _walCatchUpRequested, 0) == 0)
        {
            return;
        }

        try
        {
            // Copies only what the background checkpoint left (the frames committed while it ran).
            var started = Stopwatch.GetTimestamp();
            var result = SqliteWal.Checkpoint(_writer, "PASSIVE");
            MessageStoreMetrics.RecordWalCatchUp(started);
            LogWalCaughtUp(result.LogFrames, result.CheckpointedFrames, result.Busy);
        }
        catch (Exception ex)
        {
            // The log only grows until a later checkpoint succeeds; nothing committed is at risk.
            LogWalCatchUpFailed(ex);
        }
        finally
        {
            Volatile.Write(ref _tailMergesHeld, 0);
        }
    }

    /// <summary>Opens the writer's connection if needed; the prepared statements of a SQLite writer, null for a database that batches (PostgreSQL).</summary>
    private async Task<WriterCommands?> GetWriterCommandsAsync()
    {
        if (_writer is null)
        {
            _writer = await _dataSource.OpenConnectionAsync();
            if (_writer is SqliteConnection sqlite)
            {
                // The group commit is what makes writes durable (other connections commit with synchronous = NORMAL).
                // temp_store: a tail merge runs inside a savepoint, whose journal of the pages it changes (hundreds per
                // merge) otherwise spills to a temporary file past 64 KiB: thousands of writes a second under load.
                await using var full = CreateCommand(_writer, "PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY");
                await full.ExecuteNonQueryAsync();
                _commands = new WriterCommands(
                    sqlite,
                    new SqliteWriterStatement(sqlite, "BEGIN IMMEDIATE"),
                    new SqliteWriterStatement(sqlite, "COMMIT"),
                    new SqliteWriterStatement(sqlite, "ROLLBACK"),
                    [.. _tail!.Tables.Select(table => new TailTableCommands(sqlite, table))],
                    new SqliteWriterStatement(sqlite, MessageStoreSql.MaxSeq, "conversation_id"),
                    new SqliteWriterStatement(sqlite, MessageStoreSql.Tail.MergedHolds, "conversation_id", "seq"),
                    new SqliteWriterStatement(sqlite, MessageStoreSql.SaveReceipt, "conversation_id", "user_id", "delivered_seq", "read_seq"),
                    new SqliteWriterStatement(sqlite, MessageStoreSql.Revoke, "conversation_id", "seq"),
                    new SqliteWriterStatement(sqlite, MessageStoreSql.Hide, "user_id", "conversation_id", "seq"),
                    new SqliteWriterStatement(sqlite, "SAVEPOINT merge"),
                    new SqliteWriterStatement(sqlite, "RELEASE merge"),
                    new SqliteWriterStatement(sqlite, "ROLLBACK TO merge"),
                    CreateCommand(_writer, ""));

                // After a failed batch, whose rows were rolled back, the tail's counts must match the table again.
                _tail!.Load(_writer);
            }
        }

        return _commands;
    }

    private async Task CloseWriterAsync()
    {
        var writer = _writer;
        _writer = null;
        if (_commands is not null)
        {
            await _commands.DisposeAsync();
            _commands = null;
        }

        if (writer is not null)
        {
            try
            {
                await writer.DisposeAsync();
            }
            catch (Exception ex)
            {
                LogCloseFailed(ex);
            }
        }
    }

    /// <summary>The SQLite writer connection's statements, prepared once per connection.</summary>
    private sealed record WriterCommands(
        SqliteConnection Connection,
        SqliteWriterStatement Begin,
        SqliteWriterStatement Commit,
        SqliteWriterStatement Rollback,
        TailTableCommands[] Buckets,
        SqliteWriterStatement MergedMaxSeq,
        SqliteWriterStatement MergedHolds,
        SqliteWriterStatement Receipt,
        SqliteWriterStatement Revoke,
        SqliteWriterStatement Hide,
        SqliteWriterStatement Savepoint,
        SqliteWriterStatement ReleaseSavepoint,
        SqliteWriterStatement RollBackToSavepoint,
        DbCommand Barrier) : IAsyncDisposable
    {
        /// <summary>
        /// Rolls back a transaction the failed batch left open. If even that fails, the connection's handle is taken out
        /// of the pool, so that closing it (which rolls back) is what happens to it rather than its reuse mid-transaction.
        /// </summary>
        public void RollBackIfOpen()
        {
            if (Connection.Handle is not { } db || raw.sqlite3_get_autocommit(db) != 0)
            {
                return;
            }

            try
            {
                Rollback.Execute();
            }
            catch (SqliteException)
            {
                SqliteConnection.ClearPool(Connection);
            }
        }

        public async ValueTask DisposeAsync()
        {
            Begin.Dispose();
            Commit.Dispose();
            Rollback.Dispose();
            foreach (var bucket in Buckets)
            {
                bucket.Dispose();
            }

            MergedMaxSeq.Dispose();
            MergedHolds.Dispose();
            Receipt.Dispose();
            Revoke.Dispose();
            Hide.Dispose();
            Savepoint.Dispose();
            ReleaseSavepoint.Dispose();
            RollBackToSavepoint.Dispose();
            await Barrier.DisposeAsync();
        }
    }
}
