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

    /// <summary>Adds the conversation to the user's list if absent; durable before it returns.</summary>
    Task EnsureConversation(ConversationMembership membership);

    /// <summary>A message of one of the user's conversations was stored: update the record, push to every session.</summary>
    [OneWay]
    Task OnMessage(StoredMessage message);

    /// <summary>Another member's (or this user's own, from another device) receipt: push to every session.</summary>
    [OneWay]
    Task OnReceipt(Receipt receipt);

    /// <summary>Marks the conversation read up to <paramref name="seq"/> (never moves back); durable before it returns.</summary>
    Task<MarkReadResult> MarkRead(string conversationId, long seq);

    Task<ConversationPage> GetConversations(int limit, int offset);

    Task<Presence> GetPresence();
}
