namespace ImOrleans.Grains;

/// <summary>
/// The last sends of a conversation, oldest forgotten first: lets a quick resend be answered without a store lookup
/// by client message id. Each is kept as a 64-bit hash of (sender, client message id) and its seq, nothing else: a
/// conversation used to keep up to 1,024 whole messages, which under load was most of the silo's old generation and
/// of its collection pauses. A hash match is only a candidate; the caller compares it with the stored message.
/// </summary>
internal sealed class RecentSends(int capacity)
{
    /// <summary>
    /// Sends per chunk. A conversation adds a chunk every this many sends and never copies one: a buffer grown by
    /// doubling was copied at 9, 17, 33, 65... sends, and every conversation of a busy silo doing so made those copies
    /// most of what its gen0 collections promoted (docs/benchmarks.md, session 26).
    /// </summary>
    private const int ChunkSends = 16;

    /// <summary>Each chunk holds the keys of <see cref="ChunkSends"/> sends, then their seqs.</summary>
    private long[][] _chunks = [];
    private int _count;

    /// <summary>Where the next send goes once the buffer is full (it replaces the oldest).</summary>
    private int _next;

    /// <summary>The position of the first send at or after <paramref name="start"/> with this key, or -1.</summary>
    public int IndexOf(long key, int start = 0)
    {
        for (var position = Math.Max(start, 0); position < _count;)
        {
            var offset = position % ChunkSends;
            var length = Math.Min(ChunkSends, _count - (position - offset)) - offset;
            var found = _chunks[position / ChunkSends].AsSpan(offset, length).IndexOf(key);
            if (found >= 0)
            {
                return position + found;
            }

            position += length;
        }

        return -1;
    }

    public long SeqAt(int index) => _chunks[index / ChunkSends][ChunkSends + index % ChunkSends];

    public void Add(StoredMessage message) => Add(KeyOf(message.SenderId, message.ClientMsgId), message.Seq);

    private void Add(long key, long seq)
    {
        if (capacity <= 0)
        {
            return;
        }

        var position = _next;
        if (_count < capacity)
        {
            position = _count++;
            if (position % ChunkSends == 0)
            {
                AddChunk(position / ChunkSends);
            }
        }
        else
        {
            _next = (_next + 1) % capacity;
        }

        var chunk = _chunks[position / ChunkSends];
        chunk[position % ChunkSends] = key;
        chunk[ChunkSends + position % ChunkSends] = seq;
    }

    private void AddChunk(int index)
    {
        if (index == _chunks.Length)
        {
            var chunks = Math.Min((capacity + ChunkSends - 1) / ChunkSends, Math.Max(4, _chunks.Length * 2));
            Array.Resize(ref _chunks, chunks);
        }

        _chunks[index] = new long[2 * ChunkSends];
    }

    /// <summary>FNV-1a over the sender id, a separator no id contains, and the client message id.</summary>
    public static long KeyOf(string senderId, string clientMsgId)
    {
        const ulong offsetBasis = 14695981039346656037, prime = 1099511628211;
        var hash = offsetBasis;
        foreach (var c in senderId)
        {
            hash = (hash ^ c) * prime;
        }

        hash = (hash ^ 0xFFFF) * prime;
        foreach (var c in clientMsgId)
        {
            hash = (hash ^ c) * prime;
        }

        return unchecked((long)hash);
    }
}
