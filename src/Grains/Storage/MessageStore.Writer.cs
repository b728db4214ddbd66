using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;

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
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() => RunWriterThread(stopped)) { IsBackground = true, Name = "Message store writer" };
            thread.Start();
            _writerLoop = stopped.Task;
        }

        return Task.CompletedTask;
    }

    private void RunWriterThread(TaskCompletionSource stopped)
    {
        try
        {
            if (!ThreadNice.TrySet(WriterNice))
            {
                LogWriterPriorityNotRaised(WriterNice);
            }

            // The loop blocks this thread, which does nothing else (SQLite's calls complete synchronously anyway), so that
            // it never continues on a pool thread without the raised priority.
            RunWriter();
            stopped.SetResult();
        }
        catch (Exception ex)
        {
            stopped.SetException(ex);
        }
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
        if (_writer!.CanCreateBatch)
        {
            // PostgreSQL: the whole batch in one round trip (MessageStore.Batch.cs).
            await CommitAsOneBatchAsync(_writer, batch, applied);
            return;
        }

        await using var transaction = await _writer!.BeginTransactionAsync();
        commands.Enlist(transaction);
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
                    var r = commands.Revoke.Parameters;
                    r[0].Value = m.ConversationId;
                    r[1].Value = write.RevokedSeq;
                    await commands.Revoke.ExecuteNonQueryAsync();
                }

                var p = commands.Append.Parameters;
                p[0].Value = m.ConversationId;
                p[1].Value = m.Seq;
                p[2].Value = m.ClientMsgId;
                p[3].Value = m.SenderId;
                p[4].Value = (int)m.Type;
                p[5].Value = m.Content;
                p[6].Value = SerializeAttachments(m.Attachments);
                p[7].Value = m.ClientTimeMs;
                p[8].Value = m.ServerTimeMs;
                p[9].Value = (int)m.Status;
                applied[i] = await commands.Append.ExecuteNonQueryAsync() == 1;
            }
            else if (write.Receipt is { } receipt)
            {
                var p = commands.Receipt.Parameters;
                p[0].Value = receipt.ConversationId;
                p[1].Value = receipt.UserId;
                p[2].Value = receipt.DeliveredSeq;
                p[3].Value = receipt.ReadSeq;
                await commands.Receipt.ExecuteNonQueryAsync();
                applied[i] = true;
            }
            else
            {
                var p = commands.Hide.Parameters;
                p[0].Value = write.HiddenBy;
                p[1].Value = write.HiddenConversationId;
                foreach (var seq in write.HiddenSeqs)
                {
                    p[2].Value = seq;
                    await commands.Hide.ExecuteNonQueryAsync();
                }

                applied[i] = true;
            }
        }

        if (!wroteRows)
        {
            // Only barriers: a transaction that writes nothing commits without an fsync, so write the header's
            // user_version (unused otherwise) to make this commit sync the WAL and everything before it.
            commands.Barrier.CommandText = $"PRAGMA user_version = {++_barrierCommits % 1_000_000}";
            await commands.Barrier.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
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
            var result = SqliteWal.Checkpoint(_writer, "PASSIVE");
            LogWalCaughtUp(result.LogFrames, result.CheckpointedFrames, result.Busy);
        }
        catch (Exception ex)
        {
            // The log only grows until a later checkpoint succeeds; nothing committed is at risk.
            LogWalCatchUpFailed(ex);
        }
    }

    private async Task<WriterCommands> GetWriterCommandsAsync()
    {
        if (_writer is null)
        {
            _writer = await _dataSource.OpenConnectionAsync();
            if (_dataSource is SqliteDataSource)
            {
                // The group commit is what makes writes durable (other connections commit with synchronous = NORMAL).
                await using var full = CreateCommand(_writer, "PRAGMA synchronous = FULL");
                await full.ExecuteNonQueryAsync();
            }

            _commands = new WriterCommands(
                Prepare(MessageStoreSql.Append, "conversation_id", "seq", "client_msg_id", "sender_id", "msg_type", "content", "attachments", "client_time_ms", "server_time_ms", "status"),
                Prepare(MessageStoreSql.SaveReceipt, "conversation_id", "user_id", "delivered_seq", "read_seq"),
                Prepare(MessageStoreSql.Revoke, "conversation_id", "seq"),
                Prepare(MessageStoreSql.Hide, "user_id", "conversation_id", "seq"),
                CreateCommand(_writer, ""));
        }

        return _commands!;

        DbCommand Prepare(string sql, params string[] parameters)
        {
            var command = CreateCommand(_writer, sql);
            foreach (var name in parameters)
            {
                AddParameter(command, name, null);
            }

            return command;
        }
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

    /// <summary>The writer connection's statements, prepared once per connection.</summary>
    private sealed record WriterCommands(DbCommand Append, DbCommand Receipt, DbCommand Revoke, DbCommand Hide, DbCommand Barrier) : IAsyncDisposable
    {
        public void Enlist(DbTransaction transaction)
        {
            Append.Transaction = transaction;
            Receipt.Transaction = transaction;
            Revoke.Transaction = transaction;
            Hide.Transaction = transaction;
            Barrier.Transaction = transaction;
        }

        public async ValueTask DisposeAsync()
        {
            await Append.DisposeAsync();
            await Receipt.DisposeAsync();
            await Revoke.DisposeAsync();
            await Hide.DisposeAsync();
            await Barrier.DisposeAsync();
        }
    }
}
