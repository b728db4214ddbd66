using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains.Storage;

/// <summary>
/// SQLite only: the messages committed to the append log (<c>im_message_log</c>) and not yet merged into
/// <c>im_messages</c>, mirrored in memory so that reads never search the log (it has no index by conversation). The
/// store's writer thread changes it after each commit; reads from any thread copy out what they need under the lock.
/// Messages are grouped in buckets by conversation: the writer merges one bucket at a time, so a merge moves many
/// messages of few conversations and writes each conversation's page once for all of them.
/// </summary>
internal sealed class UnmergedMessages
{
    public const int BucketCount = 32;

    /// <summary>What a message is counted as besides its content and client id, for the memory bound.</summary>
    private const int OverheadBytes = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<Entry>>[] _buckets;
    private readonly int[] _bucketCounts = new int[BucketCount];
    private readonly long[] _bucketBytes = new long[BucketCount];
    private int _count;
    private long _bytes;

    public UnmergedMessages()
    {
        _buckets = new Dictionary<string, List<Entry>>[BucketCount];
        for (var i = 0; i < BucketCount; i++)
        {
            _buckets[i] = new Dictionary<string, List<Entry>>(StringComparer.Ordinal);
        }
    }

    /// <summary>A message and the log row it is in (<c>bucket</c>, <c>id</c>).</summary>
    public readonly record struct Entry(StoredMessage Message, long LogId);

    /// <summary>
    /// One change a committed transaction made to the log: a revoke of <see cref="RevokedSeq"/> (when above 0) of
    /// <see cref="ConversationId"/>, then the append of <see cref="Appended"/> (when not null) at row <see cref="LogId"/>.
    /// </summary>
    public readonly record struct Change(string ConversationId, long RevokedSeq, StoredMessage? Appended, long LogId);

    public int Count => Volatile.Read(ref _count);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>A conversation's bucket: stable across processes (FNV-1a), though the log is emptied at every start anyway.</summary>
    public static int BucketOf(string conversationId)
    {
        var hash = 2166136261u;
        foreach (var c in conversationId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % BucketCount);
    }

    public (int Count, long Bytes) SizeOf(int bucket)
    {
        lock (_gate)
        {
            return (_bucketCounts[bucket], _bucketBytes[bucket]);
        }
    }

    /// <summary>The log row holding (conversation, seq), if the message is unmerged.</summary>
    public bool TryGetLogId(string conversationId, long seq, out long logId)
    {
        lock (_gate)
        {
            if (Find(conversationId, seq) is { } entry)
            {
                logId = entry.LogId;
                return true;
            }
        }

        logId = 0;
        return false;
    }

    /// <summary>
    /// Applies one committed transaction, in its order: the buckets it merged are gone, its appends are added and its
    /// revokes mark their messages revoked (an append and its revoke may be in the same transaction).
    /// </summary>
    public void Apply(IReadOnlyList<int> mergedBuckets, IReadOnlyList<Change> changes)
    {
        lock (_gate)
        {
            foreach (var bucket in mergedBuckets)
            {
                _bytes -= _bucketBytes[bucket];
                _count -= _bucketCounts[bucket];
                _bucketBytes[bucket] = 0;
                _bucketCounts[bucket] = 0;
                _buckets[bucket].Clear();
            }

            foreach (var (conversationId, revokedSeq, message, logId) in changes)
            {
                if (revokedSeq > 0)
                {
                    Revoke(conversationId, revokedSeq);
                }

                if (message is null)
                {
                    continue;
                }

                var bucket = BucketOf(message.ConversationId);
                if (!_buckets[bucket].TryGetValue(message.ConversationId, out var entries))
                {
                    _buckets[bucket][message.ConversationId] = entries = new List<Entry>(4);
                }

                // Seqs of one conversation are appended in order; a late lower one (never expected) still goes in its place.
                var at = entries.Count;
                while (at > 0 && entries[at - 1].Message.Seq > message.Seq)
                {
                    at--;
                }

                entries.Insert(at, new Entry(message, logId));
                _bucketCounts[bucket]++;
                _count++;
                var size = SizeOf(message);
                _bucketBytes[bucket] += size;
                _bytes += size;
            }
        }
    }

    public long MaxSeq(string conversationId)
    {
        lock (_gate)
        {
            return EntriesOf(conversationId) is { Count: > 0 } entries ? entries[^1].Message.Seq : 0;
        }
    }

    public StoredMessage? Latest(string conversationId)
    {
        lock (_gate)
        {
            return EntriesOf(conversationId) is { Count: > 0 } entries ? entries[^1].Message : null;
        }
    }

    public StoredMessage? Get(string conversationId, long seq)
    {
        lock (_gate)
        {
            return Find(conversationId, seq)?.Message;
        }
    }

    /// <summary>The unmerged messages with minSeq &lt;= seq &lt;= maxSeq, ascending; empty when there are none.</summary>
    public List<StoredMessage> InRange(string conversationId, long minSeq, long maxSeq)
    {
        var found = new List<StoredMessage>();
        lock (_gate)
        {
            if (EntriesOf(conversationId) is { } entries)
            {
                for (var i = LowerBound(entries, minSeq); i < entries.Count && entries[i].Message.Seq <= maxSeq; i++)
                {
                    found.Add(entries[i].Message);
                }
            }
        }

        return found;
    }

    public StoredMessage? FindByClientMsgId(string conversationId, string clientMsgId, long minSeq)
    {
        lock (_gate)
        {
            if (EntriesOf(conversationId) is { } entries)
            {
                for (var i = LowerBound(entries, minSeq); i < entries.Count; i++)
                {
                    if (entries[i].Message.ClientMsgId == clientMsgId)
                    {
                        return entries[i].Message;
                    }
                }
            }
        }

        return null;
    }

    private void Revoke(string conversationId, long seq)
    {
        if (EntriesOf(conversationId) is not { } entries)
        {
            return;
        }

        var i = LowerBound(entries, seq);
        if (i < entries.Count && entries[i].Message.Seq == seq)
        {
            var revoked = entries[i].Message with { Status = MessageStatus.Revoked, Content = "", Attachments = [] };
            var change = SizeOf(revoked) - SizeOf(entries[i].Message);
            _bucketBytes[BucketOf(conversationId)] += change;
            _bytes += change;
            entries[i] = entries[i] with { Message = revoked };
        }
    }

    private List<Entry>? EntriesOf(string conversationId) =>
        _buckets[BucketOf(conversationId)].GetValueOrDefault(conversationId);

    private Entry? Find(string conversationId, long seq)
    {
        if (EntriesOf(conversationId) is { } entries)
        {
            var at = LowerBound(entries, seq);
            if (at < entries.Count && entries[at].Message.Seq == seq)
            {
                return entries[at];
            }
        }

        return null;
    }

    /// <summary>The index of the first entry with a seq at or above <paramref name="seq"/> (entries are sorted by seq).</summary>
    private static int LowerBound(List<Entry> entries, long seq)
    {
        int low = 0, high = entries.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (entries[mid].Message.Seq < seq)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private static long SizeOf(StoredMessage message) =>
        OverheadBytes + (2L * (message.Content.Length + message.ClientMsgId.Length)) + (message.Attachments.Count * 256L);
}
