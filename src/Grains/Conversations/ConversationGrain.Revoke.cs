using ImOrleans.Protocol.Messages;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// Revoke (R19): the sender, within the revoke window. The message keeps its seq, loses its content, and a REVOKE
// message at the next seq carries the news to devices that sync later.
internal sealed partial class ConversationGrain
{
    public async Task<RevokeResult> Revoke(string userId, long seq)
    {
        RequireMember(userId);
        if (_isNotice)
        {
            throw new RequestRejectedException(ErrorCode.PermissionDenied, "Notices cannot be revoked.");
        }

        var target = await _log.GetAsync(seq);
        if (target is null || target.Type is MessageType.Revoke or MessageType.GroupEvent)
        {
            throw new RequestRejectedException(ErrorCode.MessageNotFound, $"No message with seq {seq} can be revoked here.");
        }

        if (target.Status == MessageStatus.Revoked)
        {
            return new RevokeResult();
        }

        if (target.SenderId != userId)
        {
            throw new RequestRejectedException(ErrorCode.PermissionDenied, "Only the sender may revoke a message.");
        }

        var window = messaging.Value.RevokeWindow;
        if (_log.Now - target.ServerTimeMs > window.TotalMilliseconds)
        {
            throw new RequestRejectedException(ErrorCode.RevokeWindowExpired, $"Messages can be revoked within {window} of sending.");
        }

        var revoke = _log.RevokeOf(target, userId);
        await _log.AppendRevokeAsync(target, revoke);
        NotifyMembers(MessageLog.Revoked(target), "");
        NotifyMembers(revoke, "");
        return new RevokeResult { RevokeSeq = revoke.Seq };
    }
}
