namespace ImOrleans.Grains;

/// <summary>
/// What every conversation grain offers, whatever the kind of conversation: 1:1 and notices
/// (<see cref="IConversationGrain"/>) or a group (<see cref="IGroupGrain"/>). The owner of the
/// conversation's seq counter. Get one with <see cref="MessageLogs.MessageLog"/>, never with
/// <c>GetGrain&lt;IMessageLogGrain&gt;</c> (two grain classes implement it).
/// </summary>
[Alias("ImOrleans.IMessageLogGrain")]
public interface IMessageLogGrain : IGrainWithStringKey
{
    /// <summary>Stores the message and returns its seq. Throws <see cref="RequestRejectedException"/> for non-members or bad input.</summary>
    Task<SendResult> Send(string senderId, OutgoingMessage message);

    /// <summary>
    /// Messages with minSeq &lt;= seq &lt;= maxSeq (maxSeq 0 = newest) that the user may see, the newest
    /// <paramref name="limit"/> of them, ascending. Messages the user deleted come back with status Deleted and no content.
    /// </summary>
    Task<HistoryPage> Pull(string userId, long minSeq, long maxSeq, int limit);

    /// <summary>Records that the user has received the conversation up to seq (and, for 1:1, tells the other member).</summary>
    Task AckDelivered(string userId, long seq);

    /// <summary>
    /// <see cref="AckDelivered"/> from an edge that has already answered the client: for 1:1 and notice conversations,
    /// whose ids name their members, so the edge can refuse a non-member itself. A lost one is made good by the
    /// client's next ack (every client acks its positions again after each login's sync).
    /// </summary>
    [OneWay]
    Task OnDelivered(string userId, long seq);

    /// <summary>Called by the user grain after a mark-read: records it (and, for 1:1, sends the read receipt).</summary>
    [OneWay]
    Task OnRead(string userId, long readSeq);

    /// <summary>
    /// Revokes a message (R19): its sender within the revoke window, or a group's owner or admin at any time. The
    /// message keeps its seq with status Revoked and no content; a REVOKE message records it at the next seq.
    /// </summary>
    Task<RevokeResult> Revoke(string userId, long seq);

    /// <summary>How many members (other than the message's sender) have read the message at <paramref name="seq"/>.</summary>
    Task<ReadCount> GetReadCount(string userId, long seq);
}
