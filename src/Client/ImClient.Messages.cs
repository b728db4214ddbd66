using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client;

// Revoke and delete (R19), group read counts, and the user's settings of a conversation (R20).
public sealed partial class ImClient
{
    /// <summary>
    /// Revokes a message for everyone: your own within the server's revoke window, or any message of a group you own
    /// or administer. Returns the seq of the REVOKE message that records it (0 if it was revoked already).
    /// </summary>
    /// <exception cref="ImServerException"><see cref="ErrorCode.RevokeWindowExpired"/>, <see cref="ErrorCode.PermissionDenied"/>, ...</exception>
    public Task<RevokeMessageResponse> RevokeAsync(string conversationId, long seq, CancellationToken cancellationToken = default) =>
        RequestAsync(CommandCode.RevokeMessage, new RevokeMessageRequest { ConversationId = conversationId, Seq = seq }, RevokeMessageResponse.Parser, cancellationToken);

    /// <summary>Deletes messages for this user only, on all of their devices (at most 100 per call).</summary>
    public Task<DeleteMessagesResponse> DeleteMessagesAsync(string conversationId, IEnumerable<long> seqs, CancellationToken cancellationToken = default)
    {
        var request = new DeleteMessagesRequest { ConversationId = conversationId };
        request.Seqs.AddRange(seqs);
        return RequestAsync(CommandCode.DeleteMessages, request, DeleteMessagesResponse.Parser, cancellationToken);
    }

    /// <summary>How many members other than the sender have read the message at <paramref name="seq"/>, and how many have not.</summary>
    public Task<GetReadCountResponse> GetReadCountAsync(string conversationId, long seq, CancellationToken cancellationToken = default) =>
        RequestAsync(CommandCode.GetReadCount, new GetReadCountRequest { ConversationId = conversationId, Seq = seq }, GetReadCountResponse.Parser, cancellationToken);

    /// <summary>Mutes or unmutes a conversation (isShield: no offline-push fallback; sync goes on) and returns its list entry.</summary>
    public Task<UpdateConversationResponse> SetMutedAsync(string conversationId, bool muted, CancellationToken cancellationToken = default) =>
        RequestAsync(CommandCode.UpdateConversation, new UpdateConversationRequest { ConversationId = conversationId, Muted = muted }, UpdateConversationResponse.Parser, cancellationToken);
}
