using System.Data.Common;

namespace ImOrleans.Grains.Storage;

// Group commit for databases with ADO.NET batching (PostgreSQL through Npgsql): the statements of every queued write
// go to the server in one DbBatch, one round trip, instead of one round trip per statement as in CommitAsync's
// loop. Per-message round trips, not the disk, are what cap a network database's write rate; SQLite runs
// in-process, has no round trip to save, and keeps the loop. Keep the statements here in step with CommitAsync.
internal sealed partial class MessageStore
{
    private async Task CommitAsOneBatchAsync(DbConnection writer, List<PendingWrite> batch, bool[] applied)
    {
        await using var transaction = await writer.BeginTransactionAsync();
        await using var dbBatch = writer.CreateBatch();
        dbBatch.Transaction = transaction;

        // Index of each write's append statement in the batch, or -1 when the write has none.
        var appendAt = new int[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            appendAt[i] = -1;
            var write = batch[i];
            if (write.Message is { } m)
            {
                if (write.RevokedSeq > 0)
                {
                    Add(dbBatch, MessageStoreSql.Revoke, ("conversation_id", m.ConversationId), ("seq", write.RevokedSeq));
                }

                appendAt[i] = dbBatch.BatchCommands.Count;
                Add(
                    dbBatch,
                    MessageStoreSql.Append,
                    ("conversation_id", m.ConversationId),
                    ("seq", m.Seq),
                    ("client_msg_id", m.ClientMsgId),
                    ("sender_id", m.SenderId),
                    ("msg_type", (int)m.Type),
                    ("content", m.Content),
                    ("attachments", SerializeAttachments(m.Attachments)),
                    ("client_time_ms", m.ClientTimeMs),
                    ("server_time_ms", m.ServerTimeMs),
                    ("status", (int)m.Status));
            }
            else if (write.Receipt is { } receipt)
            {
                Add(
                    dbBatch,
                    MessageStoreSql.SaveReceipt,
                    ("conversation_id", receipt.ConversationId),
                    ("user_id", receipt.UserId),
                    ("delivered_seq", receipt.DeliveredSeq),
                    ("read_seq", receipt.ReadSeq));
            }
            else
            {
                foreach (var seq in write.HiddenSeqs)
                {
                    Add(dbBatch, MessageStoreSql.Hide, ("user_id", write.HiddenBy!), ("conversation_id", write.HiddenConversationId), ("seq", seq));
                }
            }
        }

        if (dbBatch.BatchCommands.Count > 0)
        {
            await dbBatch.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        for (var i = 0; i < batch.Count; i++)
        {
            // An append that found its seq taken inserted nothing (ON CONFLICT DO NOTHING).
            applied[i] = appendAt[i] < 0 || dbBatch.BatchCommands[appendAt[i]].RecordsAffected == 1;
        }
    }

    private static void Add(DbBatch dbBatch, string sql, params ReadOnlySpan<(string Name, object Value)> parameters)
    {
        var command = dbBatch.CreateBatchCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        dbBatch.BatchCommands.Add(command);
    }
}
