namespace ImOrleans.Grains;

/// <summary>
/// One per user, keyed <c>user:&lt;userId&gt;</c> (<see cref="GrainKeys.User"/>). Owns the user's live
/// sessions (one per device), conversation records (R20) and read state (R21).
/// </summary>
[Alias("ImOrleans.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers a session. A live session with the same device id is kicked (R5). The registration
    /// expires unless renewed with <see cref="RenewSession"/> within the configured session lease.
    /// </summary>
    Task Connect(SessionInfo session, ISessionObserver observer);

    /// <summary>Extends a session's lease; false if the grain no longer knows the session (re-register it).</summary>
    Task<bool> RenewSession(string sessionId, ISessionObserver observer);

    Task Disconnect(string sessionId);

    /// <summary>
    /// Adds the conversation to the user's list if absent (or makes a quit group current again, from the new init
    /// seq); durable before it returns. Returns whether the user has a live session now, so a group can push to it
    /// at once.
    /// </summary>
    Task<bool> EnsureConversation(ConversationMembership membership);

    /// <summary>The user left or was removed from a group (or it was dissolved): mark it quit; they may see up to <paramref name="lastSeq"/>.</summary>
    [OneWay]
    Task OnGroupQuit(string conversationId, long lastSeq);

    /// <summary>A group's name or avatar changed.</summary>
    [OneWay]
    Task OnGroupUpdated(GroupHead head);

    /// <summary>Hides messages for this user on every device (R19 delete); other members still see them.</summary>
    Task DeleteMessages(string conversationId, IReadOnlyList<long> seqs);

    /// <summary>Changes the user's settings of a conversation (mute, extra) and returns its list entry.</summary>
    Task<ConversationSummary> UpdateConversation(string conversationId, ConversationUpdate update);

    /// <summary>
    /// A message of one of the user's conversations was stored: update the record, push to every session but
    /// <paramref name="originSessionId"/> (the session that sent it and has its ack; empty for none).
    /// </summary>
    [OneWay]
    Task OnMessage(StoredMessage message, string originSessionId);

    /// <summary>
    /// The user sent messages up to <paramref name="seq"/> in a 1:1 conversation that pushed them to the user's other
    /// devices itself, not through <see cref="OnMessage"/>: the user has read the conversation up to there (never moves
    /// back). Told in a batch, within half a minute of the sends.
    /// </summary>
    [OneWay]
    Task OnOwnSends(string conversationId, long seq);

    /// <summary>
    /// A 1:1 conversation grain pushes its messages and receipts for this user to the user's edges itself, not through
    /// this grain: it asks here where the sessions are, and this grain tells it again (<see
    /// cref="IConversationGrain.OnMemberEdges"/>) before a session on an edge it was not told of is answered, for as
    /// long as it renews the watch within <c>UserGrainOptions.SessionRouteLease</c>. Interleaves: it changes only the
    /// list of watchers, and a conversation grain may call it while this grain waits on that conversation.
    /// </summary>
    [AlwaysInterleave]
    Task<MemberEdges> WatchEdges(string conversationId);

    /// <summary>The conversation grain stops pushing to this user's edges itself (it deactivates).</summary>
    [OneWay, AlwaysInterleave]
    Task UnwatchEdges(string conversationId);

    /// <summary>Another member's (or this user's own, from another device) receipt: push to every session.</summary>
    [OneWay]
    Task OnReceipt(Receipt receipt);

    /// <summary>Marks the conversation read up to <paramref name="seq"/> (never moves back); durable before it returns.</summary>
    Task<MarkReadResult> MarkRead(string conversationId, long seq);

    Task<ConversationPage> GetConversations(int limit, int offset);

    Task<Presence> GetPresence();
}
