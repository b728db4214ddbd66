using System.Data.Common;

namespace ImOrleans.Grains.Storage;

// SQLite's append log. im_messages is ordered by (conversation, seq), so a commit of N messages to N conversations
// wrote N pages, each to the WAL and again at the checkpoint: most of what the store cost per message. A message is
// now committed at the end of the append log (a few pages per commit, whatever the conversations) and held in memory
// (UnmergedMessages) for reads; once more than the limit is unmerged, each commit also moves one bucket of
// conversations into im_messages, sorted, in the same transaction, so the merge is as durable and atomic as the
// commit. The more messages a conversation gets between two merges of its bucket, the fewer pages per message.
internal sealed partial class MessageStore
{
    /// <summary>Unmerged messages above which commits start merging buckets (also bounded by <see cref="UnmergedBytesLimit"/>).</summary>
    public const int DefaultUnmergedLimit = 32_768;

    /// <summary>Memory the unmerged messages may take (estimated) before commits start merging buckets.</summary>
    private const long UnmergedBytesLimit = 32L * 1024 * 1024;

    /// <summary>At most this many buckets merged per commit, so one commit never carries a large share of the log.</summary>
    private const int MaxMergesPerCommit = 4;

    private readonly UnmergedMessages? _unmerged;
    private readonly int _unmergedLimit;
    private readonly List<int> _mergedBuckets = new(MaxMergesPerCommit);
    private readonly List<UnmergedMessages.Change> _logChanges = [];
    private readonly Dictionary<(string ConversationId, long Seq), long> _loggedThisCommit = [];
    private int _nextMergeBucket;
    private long _lastLogId;

    /// <summary>Messages in the append log and memory, not yet in im_messages (0 on PostgreSQL).</summary>
    public int UnmergedCount => _unmerged?.Count ?? 0;

    /// <summary>
    /// Moves whatever a previous run left in the log into im_messages, before the writer starts and before any read
    /// could miss it: the memory of unmerged messages starts empty, like the log.
    /// </summary>
    private void MergeWholeLog()
    {
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var merge = CreateCommand(connection, MessageStoreSql.MergeWholeLog);
        merge.Transaction = transaction;
        merge.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>Starts a commit's log bookkeeping and merges buckets while the unmerged messages are over the limit.</summary>
    private async Task BeginLogCommitAsync(WriterCommands commands)
    {
        _mergedBuckets.Clear();
        _logChanges.Clear();
        _loggedThisCommit.Clear();
        var unmerged = _unmerged!;
        var (count, bytes) = (unmerged.Count, unmerged.Bytes);
        for (var tried = 0;
             tried < UnmergedMessages.BucketCount && _mergedBuckets.Count < MaxMergesPerCommit && (count > _unmergedLimit || bytes > UnmergedBytesLimit);
             tried++)
        {
            var bucket = _nextMergeBucket;
            _nextMergeBucket = (bucket + 1) % UnmergedMessages.BucketCount;
            var size = unmerged.SizeOf(bucket);
            if (size.Count == 0)
            {
                continue;
            }

            commands.Merge!.Parameters[0].Value = bucket;
            await commands.Merge.ExecuteNonQueryAsync();
            _mergedBuckets.Add(bucket);
            count -= size.Count;
            bytes -= size.Bytes;
        }
    }

    /// <summary>Appends to the log; false when the seq is taken (unmerged, in this commit, or already merged).</summary>
    private async Task<bool> AppendToLogAsync(WriterCommands commands, StoredMessage m)
    {
        var key = (m.ConversationId, m.Seq);
        if (_loggedThisCommit.ContainsKey(key) || _unmerged!.TryGetLogId(m.ConversationId, m.Seq, out _))
        {
            return false;
        }

        var id = ++_lastLogId;
        var p = commands.LogAppend!.Parameters;
        p[0].Value = UnmergedMessages.BucketOf(m.ConversationId);
        p[1].Value = id;
        SetMessageParameters(p, 2, m);
        if (await commands.LogAppend.ExecuteNonQueryAsync() != 1)
        {
            return false;
        }

        _loggedThisCommit[key] = id;
        return true;
    }

    /// <summary>Revokes the message in the log too if it is there (a bucket merged in this commit took it to im_messages).</summary>
    private async Task RevokeInLogAsync(WriterCommands commands, string conversationId, long seq)
    {
        if (_loggedThisCommit.TryGetValue((conversationId, seq), out var id) || _unmerged!.TryGetLogId(conversationId, seq, out id))
        {
            var p = commands.RevokeLogged!.Parameters;
            p[0].Value = UnmergedMessages.BucketOf(conversationId);
            p[1].Value = id;
            await commands.RevokeLogged.ExecuteNonQueryAsync();
        }
    }

    /// <summary>After the commit: memory follows what it made durable, before any waiter is answered.</summary>
    private void EndLogCommit() => _unmerged!.Apply(_mergedBuckets, _logChanges);

    private async Task StartLogIdsAsync(DbConnection writer)
    {
        await using var last = CreateCommand(writer, MessageStoreSql.LastLogId);
        _lastLogId = Math.Max(_lastLogId, Convert.ToInt64(await last.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void SetMessageParameters(DbParameterCollection p, int first, StoredMessage m)
    {
        p[first].Value = m.ConversationId;
        p[first + 1].Value = m.Seq;
        p[first + 2].Value = m.ClientMsgId;
        p[first + 3].Value = m.SenderId;
        p[first + 4].Value = (int)m.Type;
        p[first + 5].Value = m.Content;
        p[first + 6].Value = SerializeAttachments(m.Attachments);
        p[first + 7].Value = m.ClientTimeMs;
        p[first + 8].Value = m.ServerTimeMs;
        p[first + 9].Value = (int)m.Status;
    }
}
