namespace ImOrleans.Grains.Storage;

/// <summary>
/// Durable store of messages and receipts, shared by every grain of a silo. Messages live in rows
/// keyed by (conversation, seq), never inside grain state, so a conversation's history grows without
/// its grain state growing. Writes from all grains are group-committed: one transaction carries
/// whatever is queued, so the cost of a durable commit is shared by many messages.
/// </summary>
public interface IMessageStore
{
    /// <summary>
    /// Stores the message under its (conversation, seq). The task completes once the row is durably
    /// committed; it faults if the batch failed or if the seq is already taken.
    /// </summary>
    /// <param name="message">The message, under the seq its owner assigned.</param>
    /// <param name="chain">
    /// The append chain it belongs to (<see cref="AppendChains"/>), or 0 for none. Once an append of a chain fails with
    /// its batch, every later append of that chain fails too without being written, so that appends queued one after
    /// another without waiting (seq n+1 before n is durable) can never leave a gap at n. An owner starts a new chain
    /// after a failure.
    /// </param>
    Task AppendAsync(StoredMessage message, long chain = 0);

    /// <summary>
    /// Completes once every database write this process made before the call is durable. Grain state on SQLite is
    /// committed without its own fsync (synchronous = NORMAL in WAL mode: safe against a process crash, not yet
    /// against power loss); this joins the next group commit, whose fsync of the shared WAL file covers it. On
    /// PostgreSQL every commit is durable already and this completes at once.
    /// </summary>
    Task MakeDurableAsync();

    /// <summary>The highest stored seq of the conversation, or 0 if it has no message.</summary>
    Task<long> GetMaxSeqAsync(string conversationId);

    /// <summary>
    /// The newest <paramref name="limit"/> messages with minSeq &lt;= seq &lt;= maxSeq, ascending by seq. Messages
    /// <paramref name="viewerId"/> deleted for themselves (see <see cref="HideAsync"/>) come back with status Deleted,
    /// no content and no attachments, so the seqs stay contiguous.
    /// </summary>
    Task<IReadOnlyList<StoredMessage>> ReadRangeAsync(string conversationId, long minSeq, long maxSeq, int limit, string? viewerId = null);

    /// <summary>The message at (conversation, seq), or null.</summary>
    Task<StoredMessage?> GetAsync(string conversationId, long seq);

    /// <summary>
    /// Marks the message at <paramref name="revokedSeq"/> revoked (status 2, content and attachments cleared) and
    /// appends <paramref name="revokeMessage"/>, in one transaction. Faults like <see cref="AppendAsync"/>.
    /// </summary>
    Task AppendRevokeAsync(long revokedSeq, StoredMessage revokeMessage, long chain = 0);

    /// <summary>Hides messages of a conversation from one user's view (delete for me, R19). Durable when the task completes.</summary>
    Task HideAsync(string userId, string conversationId, IReadOnlyList<long> seqs);

    /// <summary>
    /// The first message at or after <paramref name="minSeq"/> that a send with this client message id stored, if any.
    /// Client ids are not indexed (an index leaf per message doubled what each commit writes), so this reads the
    /// conversation's messages from <paramref name="minSeq"/> on: callers keep the range short.
    /// </summary>
    Task<StoredMessage?> FindByClientMsgIdAsync(string conversationId, string clientMsgId, long minSeq);

    /// <summary>The last message of each conversation that has one; conversations without messages are absent.</summary>
    Task<IReadOnlyDictionary<string, StoredMessage>> GetLatestAsync(IReadOnlyCollection<string> conversationIds);

    /// <summary>
    /// Records how far a member has received and read a conversation, keeping the highest value of
    /// each ever saved (a late, lower receipt never moves it back). Durable when the task completes.
    /// </summary>
    Task SaveReceiptAsync(string conversationId, string userId, long deliveredSeq, long readSeq);

    /// <summary>Every member's saved receipt of the conversation.</summary>
    Task<IReadOnlyList<Receipt>> GetReceiptsAsync(string conversationId);
}
