using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

/// <summary>
/// One per edge node, registered with every session it opens (<see cref="SessionInfo.Edge"/>). A group pushes a
/// message with one call per edge that holds online members, naming them, instead of one call per member's user
/// grain and another per session: the edge hands it to its local sessions of those users. A 1:1 conversation pushes
/// its messages (to the receiver and to the sender's other sessions) and receipts the same way (<see
/// cref="MemberEdges"/>). One-way and best-effort, like every push: a lost one is recovered by the client's seq-based
/// sync. It also takes the answers to the edge's 1:1 sends; a lost answer is given up on by the edge (SendAnswers).
/// </summary>
[Alias("ImOrleans.IEdgeFanout")]
public interface IEdgeFanout : IGrainObserver
{
    /// <summary>Pushes <paramref name="message"/> to every session on this edge of each of <paramref name="userIds"/>.</summary>
    [OneWay]
    Task OnMessage(StoredMessage message, IReadOnlyList<string> userIds);

    /// <summary>Pushes <paramref name="receipt"/> to every session on this edge of each of <paramref name="userIds"/>.</summary>
    [OneWay]
    Task OnReceipt(Receipt receipt, IReadOnlyList<string> userIds);

    /// <summary>
    /// Pushes the sender's own <paramref name="message"/> to their other sessions on this edge (R22): every session of
    /// <paramref name="senderId"/> here but <paramref name="originSessionId"/>, which sent it and has its ack.
    /// </summary>
    [OneWay]
    Task OnOwnMessage(StoredMessage message, string senderId, string originSessionId);

    /// <summary>The send this edge made with <paramref name="token"/> (<see cref="IConversationGrain.SendWithReply"/>) is stored.</summary>
    [OneWay]
    Task OnSendAnswered(long token, SendResult result);

    /// <summary>
    /// The send this edge made with <paramref name="token"/> was refused and not stored; the client is told
    /// <paramref name="code"/> and <paramref name="reason"/>.
    /// </summary>
    [OneWay]
    Task OnSendRefused(long token, ErrorCode code, string reason);
}
