using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client.Internal;

/// <summary>Everything the inbox loop handles, in arrival order: pushes, sync results, pull and ack outcomes, events.</summary>
internal abstract record InboxItem;

internal sealed record PushedMessage(ChatMessage Message) : InboxItem;

/// <summary>This client's own send, acked: the server pushes it to the user's other sessions, not back to this one.</summary>
internal sealed record OwnMessageStored(ChatMessage Message) : InboxItem;

internal sealed record PushedReceipt(ReceiptPush Receipt) : InboxItem;

internal sealed record KickReceived(KickedEventArgs Kick) : InboxItem;

internal sealed record StateChange(ImClientStateChangedEventArgs Change) : InboxItem;

/// <summary>Posted before a login, so pushes of the new link queue behind it and unknown conversations wait for the list.</summary>
internal sealed record SyncStarted : InboxItem;

internal sealed record ConversationListed(Conversation Conversation) : InboxItem;

internal sealed record SyncFinished : InboxItem;

internal sealed record RangePulled(string ConversationId, long From, long To, IReadOnlyList<ChatMessage> Messages) : InboxItem;

internal sealed record RangeFailed(string ConversationId) : InboxItem;

/// <summary>A group conversation's ack interval has passed (<see cref="ImClientOptions.GroupAckInterval"/>).</summary>
internal sealed record AckSpacingElapsed(string ConversationId) : InboxItem;

internal sealed record AckFinished(string ConversationId, long Seq, bool Accepted) : InboxItem;
