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

    /// <summary>Appends a message to the tail unless its seq is taken; true if it was stored.</summary>
    private bool AppendToTail(SqliteMessageTail tail, WriterCommands commands, StoredMessage m)
    {
        var bucket = tail.BucketOf(m.ConversationId);
        if (tail.MayHold(m.ConversationId, m.Seq))
        {
            // Only a second writer of the conversation (two activations during a cluster split) gets here.
            var holds = commands.TailHolds;
            holds.Bind(0, bucket);
            holds.Bind(1, m.ConversationId);
            holds.Bind(2, m.Seq);
            if (holds.HasRow())
            {
                return false;
            }
        }

        var append = commands.Append;
        append.Bind(0, bucket);
        append.Bind(1, tail.NextTailId());
        append.Bind(2, m.ConversationId);
        append.Bind(3, m.Seq);
        append.Bind(4, m.ClientMsgId);
        append.Bind(5, m.SenderId);
        append.Bind(6, (int)m.Type);
        append.Bind(7, m.Content);
        append.Bind(8, AttachmentsJson(m.Attachments));
        append.Bind(9, m.ClientTimeMs);
        append.Bind(10, m.ServerTimeMs);
        append.Bind(11, (int)m.Status);
        if (append.Execute() != 1)
        {
            return false;
        }

        tail.Appended(bucket, m.ConversationId, m.Seq);
        return true;
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

    /// <summary>The statement a read of the conversation runs: the one that also reads the tail when it holds the conversation.</summary>
    private string ReadSql(string conversationId, string plain, string withTail, DbCommand command)
    {
        if (_tail is not { } tail || !tail.Holds(conversationId))
        {
            return plain;
        }

        AddParameter(command, "bucket", tail.BucketOf(conversationId));
        return withTail;
    }
}
