using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ImOrleans.Grains.Storage;

// SQLite's message tail (SqliteMessageTail): how the writer appends to it and merges it, and which statement a read
// of a conversation runs.
internal sealed partial class MessageStore
{
    /// <summary>Moves the whole tail into im_messages before the store serves anyone: reads start from an empty tail.</summary>
    private void MergeWholeTail()
    {
        using var connection = (SqliteConnection)_dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using (var merge = connection.CreateCommand())
        {
            merge.Transaction = transaction;
            merge.CommandText = MessageStoreSql.Tail.MergeAll;
            merge.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>
    /// Appends a message to the tail unless its seq is taken; true if it was stored. A conversation's appends come in seq
    /// order, so a seq above the newest it has in the tail and in im_messages is free without a look; the newest in
    /// im_messages is read once, when the conversation enters the tail.
    /// </summary>
    private static bool AppendToTail(SqliteMessageTail tail, WriterCommands commands, StoredMessage m)
    {
        var bucket = tail.BucketOf(m.ConversationId);
        long mergedSeq;
        if (tail.TryGetHeld(m.ConversationId, out var held))
        {
            mergedSeq = held.MergedSeq;
            if (m.Seq <= held.NewestSeq && Holds(commands.TailHolds, bucket, m))
            {
                return false;
            }
        }
        else
        {
            commands.MergedMaxSeq.Bind(0, m.ConversationId);
            mergedSeq = commands.MergedMaxSeq.ReadInt64();
        }

        // Only a second writer of the conversation (two activations during a cluster split) gets past these seqs.
        if (m.Seq <= mergedSeq && Holds(commands.MergedHolds, -1, m))
        {
            return false;
        }

        var append = commands.Append;
        append.Bind(0, tail.NextTailId(bucket));
        append.Bind(1, m.ConversationId);
        append.Bind(2, m.Seq);
        append.Bind(3, m.ClientMsgId);
        append.Bind(4, m.SenderId);
        append.Bind(5, (int)m.Type);
        append.Bind(6, m.Content);
        append.Bind(7, AttachmentsJson(m.Attachments));
        append.Bind(8, m.ClientTimeMs);
        append.Bind(9, m.ServerTimeMs);
        append.Bind(10, (int)m.Status);
        append.Execute();
        tail.Appended(bucket, m.ConversationId, m.Seq, mergedSeq);
        return true;
    }

    /// <summary>Whether the statement finds the message's (conversation, seq); <paramref name="bucket"/> is bound first unless it is -1.</summary>
    private static bool Holds(SqliteWriterStatement statement, int bucket, StoredMessage m)
    {
        var next = 0;
        if (bucket >= 0)
        {
            statement.Bind(next++, bucket);
        }

        statement.Bind(next++, m.ConversationId);
        statement.Bind(next, m.Seq);
        return statement.HasRow();
    }

    /// <summary>Revokes a message wherever it is: in im_messages, or still in the tail.</summary>
    private static void Revoke(SqliteMessageTail tail, WriterCommands commands, string conversationId, long seq)
    {
        var revoke = commands.Revoke;
        revoke.Bind(0, conversationId);
        revoke.Bind(1, seq);
        revoke.Execute();
        if (tail.Holds(conversationId))
        {
            var inTail = commands.TailRevoke;
            inTail.Bind(0, tail.BucketOf(conversationId));
            inTail.Bind(1, conversationId);
            inTail.Bind(2, seq);
            inTail.Execute();
        }
    }

    /// <summary>
    /// Inside the batch's transaction: moves the tail's fullest bucket into im_messages once the tail is past its
    /// threshold. Returns the bucket merged, or -1. A merge that fails is undone on its own and leaves the batch to
    /// commit: the tail only grows until a later merge succeeds.
    /// </summary>
    private int MergeFullestBucket(SqliteMessageTail tail, WriterCommands commands)
    {
        var bucket = tail.BucketToMerge();
        if (bucket < 0)
        {
            return -1;
        }

        commands.Savepoint.Execute();
        try
        {
            commands.MergeBucket.Bind(0, bucket);
            var moved = commands.MergeBucket.Execute();
            commands.DeleteBucket.Bind(0, bucket);
            commands.DeleteBucket.Execute();
            commands.ReleaseSavepoint.Execute();
            LogTailMerged(bucket, moved, tail.Rows - moved);
            MessageStoreMetrics.RecordTailMerged(moved);
            return bucket;
        }
        catch (SqliteException ex)
        {
            LogTailMergeFailed(ex, bucket);
            commands.RollBackToSavepoint.Execute();
            commands.ReleaseSavepoint.Execute();
            return -1;
        }
    }

    /// <summary>
    /// A read of the conversation with its id bound: <paramref name="plain"/>, or <paramref name="withTail"/> (with the
    /// conversation's bucket bound too) when the tail holds the conversation.
    /// </summary>
    private DbCommand CreateReadCommand(DbConnection connection, string conversationId, string plain, string withTail)
    {
        var held = _tail is { } tail && tail.Holds(conversationId);
        var command = CreateCommand(connection, held ? withTail : plain);
        AddParameter(command, "conversation_id", conversationId);
        if (held)
        {
            AddParameter(command, "bucket", _tail!.BucketOf(conversationId));
        }

        return command;
    }
}
