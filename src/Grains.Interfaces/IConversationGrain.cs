namespace ImOrleans.Grains;

/// <summary>
/// One per conversation, keyed by the conversation id. Owns the seq counter: it stores each message
/// under the next seq before acking it, deduplicates by client message id (R16) and serves history
/// pages (R14) to members only.
/// </summary>
[Alias("ImOrleans.IConversationGrain")]
public interface IConversationGrain : IGrainWithStringKey
{
    /// <summary>Stores the message and returns its seq. Throws <see cref="RequestRejectedException"/> for non-members or bad input.</summary>
    Task<SendResult> Send(string senderId, OutgoingMessage message);

    /// <summary>Messages with minSeq &lt;= seq &lt;= maxSeq (maxSeq 0 = newest), the newest <paramref name="limit"/> of them, ascending.</summary>
    Task<HistoryPage> Pull(string userId, long minSeq, long maxSeq, int limit);

    /// <summary>Records that the user has received the conversation up to seq and tells the other members.</summary>
    Task AckDelivered(string userId, long seq);

    /// <summary>Called by the user grain after a mark-read: tells the other members (read receipt).</summary>
    [OneWay]
    Task OnRead(string userId, long readSeq);
}
