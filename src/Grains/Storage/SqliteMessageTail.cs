using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace ImOrleans.Grains.Storage;

/// <summary>
/// The SQLite store's message tail: messages appended since their bucket was last merged into <c>im_messages</c>.
/// <para>
/// <c>im_messages</c> is ordered by (conversation, seq), so a commit of N messages to N conversations writes N pages
/// of 4 KiB each, to the write-ahead log and again when the checkpoint copies them back: a quarter of the server's
/// CPU in the chat benchmark. The tail is a table per bucket instead (<see cref="SqliteTailTable"/>), where the bucket is
/// a hash of the conversation, each in the order of its appends: a commit writes only the last page of each bucket it
/// touches. Once
/// the tail holds more than its threshold, every commit also moves its fullest bucket into <c>im_messages</c>, sorted,
/// in the same transaction, so a conversation's messages of a whole round reach its page of <c>im_messages</c> at
/// once.
/// </para>
/// <para>
/// Readers look in the tail only for a conversation it holds (<see cref="Holds"/>), and then in the one bucket of that
/// conversation: the writer records a conversation before the commit that first puts a row of it in the tail, and
/// forgets it only after the commit that merged its bucket, so a reader never misses a committed row.
/// </para>
/// </summary>
internal sealed class SqliteMessageTail(int buckets = SqliteMessageTail.DefaultBuckets, int mergeThreshold = SqliteMessageTail.DefaultMergeThreshold)
{
    /// <summary>
    /// Buckets of the tail. A commit writes about one page per bucket it touches, and a read of a conversation the tail
    /// holds scans the rows of its bucket (threshold / buckets, about 1,000).
    /// </summary>
    public const int DefaultBuckets = 32;

    /// <summary>
    /// Rows the tail holds before commits start merging. The larger, the more messages of a conversation a merge moves
    /// onto each of its pages, and the longer the scan of a bucket.
    /// </summary>
    public const int DefaultMergeThreshold = 32_768;

    /// <summary>Each conversation with rows in the tail. Read by any thread, written by the writer's.</summary>
    private readonly ConcurrentDictionary<string, Held> _held = new(StringComparer.Ordinal);

    /// <summary>Rows per bucket; the writer's thread only.</summary>
    private readonly int[] _rows = new int[buckets];

    private readonly SqliteTailTable[] _tables = [.. Enumerable.Range(0, buckets).Select(b => new SqliteTailTable(b))];

    private int _totalRows;

    /// <summary>Rows in the tail, as the writer counts them (read by the metrics from any thread).</summary>
    public int Rows => Volatile.Read(ref _totalRows);

    /// <summary>The bucket of a conversation: FNV-1a over its UTF-16 code units, stable across processes and versions.</summary>
    public int BucketOf(string conversationId)
    {
        var hash = 2166136261u;
        foreach (var c in conversationId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)buckets);
    }

    /// <summary>True when the tail may hold messages of the conversation (readers then read both tables).</summary>
    public bool Holds(string conversationId) => _held.ContainsKey(conversationId);

    /// <summary>What the tail knows of a conversation it holds, if it holds it.</summary>
    public bool TryGetHeld(string conversationId, [MaybeNullWhen(false)] out Held held) => _held.TryGetValue(conversationId, out held);

    /// <summary>The tables, one per bucket, in bucket order.</summary>
    public IReadOnlyList<SqliteTailTable> Tables => _tables;

    /// <summary>The table of a bucket.</summary>
    public SqliteTailTable Table(int bucket) => _tables[bucket];

    /// <summary>
    /// Records an append about to be committed; the writer's thread only, before the commit. <paramref name="mergedSeq"/>:
    /// the newest seq of the conversation in im_messages.
    /// </summary>
    public void Appended(int bucket, string conversationId, long seq, long mergedSeq)
    {
        if (!_held.TryGetValue(conversationId, out var held))
        {
            _held[conversationId] = new Held(bucket, seq, mergedSeq);
        }
        else if (seq > held.NewestSeq)
        {
            held.NewestSeq = seq;
        }

        _rows[bucket]++;
        _totalRows++;
    }

    /// <summary>The bucket the next commit should merge, or -1 while the tail is below its threshold.</summary>
    public int BucketToMerge()
    {
        if (_totalRows <= mergeThreshold)
        {
            return -1;
        }

        var fullest = 0;
        for (var b = 1; b < _rows.Length; b++)
        {
            if (_rows[b] > _rows[fullest])
            {
                fullest = b;
            }
        }

        return fullest;
    }

    /// <summary>Forgets the bucket's conversations once the commit that merged it is durable; the writer's thread only.</summary>
    public void Merged(int bucket)
    {
        foreach (var (conversationId, held) in _held)
        {
            if (held.Bucket == bucket)
            {
                _held.TryRemove(conversationId, out _);
            }
        }

        _totalRows -= _rows[bucket];
        _rows[bucket] = 0;
    }

    /// <summary>
    /// Makes the counts match the table, as committed (at start, and when the writer reopens after a failed batch,
    /// whose rows were rolled back). The writer's thread, with no transaction of its own open. A conversation is
    /// forgotten only when the table has no row of it.
    /// </summary>
    public void Load(DbConnection connection)
    {
        var held = new Dictionary<string, Held>(StringComparer.Ordinal);
        Array.Clear(_rows);
        _totalRows = 0;
        using var command = connection.CreateCommand();
        command.CommandText = MessageStoreSql.Tail.Held;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var bucket = reader.GetInt32(0);
                var rows = reader.GetInt32(3);
                held[reader.GetString(1)] = new Held(bucket, reader.GetInt64(2), reader.GetInt64(4));
                _rows[bucket] += rows;
                _totalRows += rows;
            }
        }

        foreach (var conversationId in _held.Keys)
        {
            if (!held.ContainsKey(conversationId))
            {
                _held.TryRemove(conversationId, out _);
            }
        }

        foreach (var (conversationId, value) in held)
        {
            _held[conversationId] = value;
        }
    }

    /// <summary>
    /// What the tail knows of a conversation it holds. A class changed in place by the writer's thread (other threads
    /// only ask whether a conversation is held): as a struct, every append replaced the dictionary's node, a young
    /// object per message referenced from the dictionary's old arrays, which each collection then had to find and promote.
    /// </summary>
    public sealed class Held(int bucket, long newestSeq, long mergedSeq)
    {
        /// <summary>The conversation's bucket.</summary>
        public int Bucket { get; } = bucket;

        /// <summary>Its newest seq in the tail.</summary>
        public long NewestSeq { get; set; } = newestSeq;

        /// <summary>Its newest seq in im_messages when it entered the tail: only merges write there, and they take it out of the tail.</summary>
        public long MergedSeq { get; } = mergedSeq;
    }
}
