namespace ImOrleans.Grains;

/// <summary>
/// One per 1:1 conversation (<c>s:a:b</c>) or user's notice conversation (<c>n:user</c>), keyed by the conversation
/// id. Owns the seq counter: it stores each message under the next seq before acking it, deduplicates by client
/// message id (R16) and serves history pages (R14) to members only.
/// </summary>
[Alias("ImOrleans.IConversationGrain")]
public interface IConversationGrain : IMessageLogGrain
{
    /// <summary>
    /// Stores a business notice in a notice conversation (R11) and pushes it to the user's sessions. The message's
    /// client message id is the business service's notice id: posting it again stores it once.
    /// </summary>
    Task<SendResult> PostNotice(string source, OutgoingMessage notice);

    /// <summary>
    /// <see cref="IMessageLogGrain.Send"/> without an Orleans answer: once the message is stored (or refused), the
    /// answer goes to <paramref name="replyTo"/> (<see cref="IEdgeFanout.OnSendAnswered"/> or <see
    /// cref="IEdgeFanout.OnSendRefused"/>) under the message's <see cref="OutgoingMessage.ReplyToken"/>. An edge
    /// sends a 1:1 message this way: a call that waits for its commit costs the grain a chain of continuations and
    /// the caller a pending callback, about a third of what a message allocated. The caller must give up on an answer that does not come (the
    /// grain's silo died), and a client that is told so resends, which the client message id deduplicates.
    /// </summary>
    [OneWay]
    Task SendWithReply(string senderId, OutgoingMessage message, IEdgeFanout replyTo);

    /// <summary>Whether the notice at <paramref name="seq"/> exists and how far the user has received and read.</summary>
    Task<NoticeStatus> GetNoticeStatus(long seq);

    /// <summary>
    /// From a member's user grain while this grain watches it (<see cref="IUserGrain.WatchEdges"/>): the member's
    /// sessions are now on <paramref name="edges"/>. Interleaves: it only replaces the route, and the user
    /// grain waits for it before it answers a login.
    /// </summary>
    [AlwaysInterleave]
    Task OnMemberEdges(string userId, MemberEdges edges);

    /// <summary>
    /// The newest seq <paramref name="userId"/> sent since this grain activated, 0 if none. Their user grain asks it
    /// in the seconds before this grain tells it (<see cref="IUserGrain.OnOwnSends"/>). Interleaves: it only reads.
    /// </summary>
    [AlwaysInterleave]
    Task<long> LastSentBy(string userId);
}
