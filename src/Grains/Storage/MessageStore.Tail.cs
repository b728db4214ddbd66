using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ImOrleans.Grains.Storage;

// SQLite's message tail (SqliteMessageTail): how the writer appends to it and merges it, and which statement a read
// of a conversation runs.
internal sealed partial class MessageStore
{
    /// <summary>
    /// Before the store serves anyone: moves every row of every tail table the file has into im_messages (so reads start
    /// from an empty tail), drops the tables this tail does not use (a larger bucket count's, or the single table of files
    /// written before there was a table per bucket), and creates this tail's tables and the view of them all.
    /// </summary>
    private void PrepareTail(SqliteMessageTail tail)
    {
        using var connection = (SqliteConnection)_dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var current = tail.Tables.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var statements = new List<string>();
        using (var tables = connection.CreateCommand())
        {
            tables.Transaction = transaction;
            tables.CommandText = MessageStoreSql.Tail.Tables;
            using var reader = tables.ExecuteReader();
            while (reader.Read())
            {
                var (name, type) = (reader.GetString(0), reader.GetString(1));
                if (type == "view")
                {
                    statements.Add($"DROP VIEW {name}");
                    continue;
                }

                statements.Add(MessageStoreSql.Tail.MergeInto(name));
                statements.Add(current.Contains(name) ? MessageStoreSql.Tail.Clear(name) : $"DROP TABLE {name}");
            }
        }

        statements.AddRange(tail.Tables.Select(t => MessageStoreSql.Tail.Create(t.Name)));
        statements.Add(MessageStoreSql.Tail.View(tail.Tables.Count));
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            foreach (var sql in statements)
            {
                command.CommandText = sql;
                command.ExecuteNonQuery();
            }
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
        var table = commands.Buckets[bucket];
        long mergedSeq;
        if (tail.TryGetHeld(m.ConversationId, out var held))
        {
            mergedSeq = held.MergedSeq;
            if (m.Seq <= held.NewestSeq && Holds(table.Holds, m))
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
        if (m.Seq <= mergedSeq && Holds(commands.MergedHolds, m))
        {
            return false;
        }

        var append = table.Append;
        append.Bind(0, m.ConversationId);
        append.Bind(1, m.Seq);
        append.Bind(2, m.ClientMsgId);
        append.Bind(3, m.SenderId);
        append.Bind(4, (int)m.Type);
        append.Bind(5, m.Content);
        append.Bind(6, AttachmentsJson(m.Attachments));
        append.Bind(7, m.ClientTimeMs);
        append.Bind(8, m.ServerTimeMs);
        append.Bind(9, (int)m.Status);
        append.Execute();
        tail.Appended(bucket, m.ConversationId, m.Seq, mergedSeq);
        return true;
    }

    /// <summary>Whether the statement finds the message's (conversation, seq).</summary>
    private static bool Holds(SqliteWriterStatement statement, StoredMessage m)
    {
        statement.Bind(0, m.ConversationId);
        statement.Bind(1, m.Seq);
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
            var inTail = commands.Buckets[tail.BucketOf(conversationId)].Revoke;
            inTail.Bind(0, conversationId);
            inTail.Bind(1, seq);
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
            var moved = commands.Buckets[bucket].MergeInto.Execute();
            commands.Buckets[bucket].Clear.Execute();
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
    /// A read of the conversation with its id bound: <paramref name="plain"/>, or the statement <paramref name="withTail"/>
    /// picks of the conversation's tail table when the tail holds the conversation.
    /// </summary>
    private DbCommand CreateReadCommand(DbConnection connection, string conversationId, string plain, Func<SqliteTailTable, string> withTail)
    {
        var sql = _tail is { } tail && tail.Holds(conversationId) ? withTail(tail.Table(tail.BucketOf(conversationId))) : plain;
        var command = CreateCommand(connection, sql);
        AddParameter(command, "conversation_id", conversationId);
        return command;
    }

    /// <summary>The writer's statements on one bucket's table.</summary>
    private sealed class TailTableCommands(SqliteConnection connection, SqliteTailTable table) : IDisposable
    {
        public SqliteWriterStatement Append { get; } = new(connection, table.Append, "conversation_id", "seq", "client_msg_id", "sender_id", "msg_type", "content", "attachments", "client_time_ms", "server_time_ms", "status");

        public SqliteWriterStatement Holds { get; } = new(connection, table.Holds, "conversation_id", "seq");

        public SqliteWriterStatement Revoke { get; } = new(connection, table.Revoke, "conversation_id", "seq");

        public SqliteWriterStatement MergeInto { get; } = new(connection, table.MergeInto);

        public SqliteWriterStatement Clear { get; } = new(connection, table.Clear);

        public void Dispose()
        {
            Append.Dispose();
            Holds.Dispose();
            Revoke.Dispose();
            MergeInto.Dispose();
            Clear.Dispose();
        }
    }
}
