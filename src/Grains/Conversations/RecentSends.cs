namespace ImOrleans.Grains;

/// <summary>
/// The last sends of a conversation, oldest forgotten first: lets a quick resend be answered without a store lookup
/// by client message id. Each is kept as a 64-bit hash of (sender, client message id) and its seq, nothing else: a
/// conversation used to keep up to 1,024 whole messages, which under load was most of the silo's old generation and
/// of its collection pauses. A hash match is only a candidate; the caller compares it with the stored message.
/// </summary>
internal sealed class RecentSends(int capacity)
{
    private const int InitialSize = 8;

    private long[] _keys = [];
    private long[] _seqs = [];
    private int _count;

    /// <summary>Where the next send goes once the buffer is full (it replaces the oldest).</summary>
    private int _next;

    /// <summary>The position of the first send at or after <paramref name="start"/> with this key, or -1.</summary>
    public int IndexOf(long key, int start = 0)
    {
        if (start >= _count)
        {
            return -1;
        }

        var found = _keys.AsSpan(start, _count - start).IndexOf(key);
        return found < 0 ? -1 : start + found;
    }

    public long SeqAt(int index) => _seqs[index];

    public void Add(StoredMessage message) => Add(KeyOf(message.SenderId, message.ClientMsgId), message.Seq);

    private void Add(long key, long seq)
    {
        if (capacity <= 0)
        {
            return;
        }

        if (_count < capacity)
        {
            if (_count == _keys.Length)
            {
                var size = Math.Min(capacity, Math.Max(InitialSize, _keys.Length * 2));
                Array.Resize(ref _keys, size);
                Array.Resize(ref _seqs, size);
            }

            _keys[_count] = key;
            _seqs[_count] = seq;
            _count++;
            return;
        }

        _keys[_next] = key;
        _seqs[_next] = seq;
        _next = (_next + 1) % capacity;
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
