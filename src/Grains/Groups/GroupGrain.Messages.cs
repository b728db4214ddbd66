using ImOrleans.Protocol.Messages;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// The group conversation (R13): stored once under one seq counter, pushed to the online members only; offline
// members find it by seq when they sync.
internal sealed partial class GroupGrain
{
    public async Task<SendResult> Send(string senderId, OutgoingMessage message)
    {
        var sender = RequireConversationMember(senderId);
        MessageRules.Validate(message, conversationOptions.Value.MaxContentBytes);
        if (message.Type == MessageType.ChannelNotice && sender.Role == GroupRole.Member)
        {
            throw Denied("Only the owner and admins send channel notices.");
        }

        if (await _log.FindEarlierSendAsync(senderId, message) is { } earlier)
        {
            return new SendResult { Seq = earlier.Seq, ServerTimeMs = earlier.ServerTimeMs, Duplicate = true };
        }

        // Sends overlap (see SendGate): the push goes out in seq order with the other sends' pushes.
        return await _log.AppendAsync(_log.Next(senderId, message), _pushSoon ??= PushSoon, message.OriginSessionId);
    }

    public async Task<HistoryPage> Pull(string userId, long minSeq, long maxSeq, int limit)
    {
        var (first, last) = VisibleRange(userId);
        var take = limit == 0 ? DefaultPageSize : Math.Clamp(limit, 1, MaxPageSize);
        var messages = await _log.ReadAsync(userId, minSeq, maxSeq, take, first, last);
        return new HistoryPage { Messages = messages, MaxSeq = last, InitSeq = first };
    }

    public async Task<RevokeResult> Revoke(string userId, long seq)
    {
        var member = RequireConversationMember(userId);
        var target = await _log.GetAsync(seq);
        if (target is null || target.Type is MessageType.Revoke or MessageType.GroupEvent || (member.Role == GroupRole.Member && seq < member.InitSeq))
        {
            throw new RequestRejectedException(ErrorCode.MessageNotFound, $"No message with seq {seq} can be revoked here.");
        }

        if (target.Status == MessageStatus.Revoked)
        {
            return new RevokeResult();
        }

        // Owner and admins moderate: any message, any time. Others: their own, within the window.
        if (member.Role == GroupRole.Member)
        {
            if (target.SenderId != userId)
            {
                throw Denied("Members revoke only their own messages.");
            }

            var window = messaging.Value.RevokeWindow;
            if (_log.Now - target.ServerTimeMs > window.TotalMilliseconds)
            {
                throw new RequestRejectedException(ErrorCode.RevokeWindowExpired, $"Messages can be revoked within {window} of sending.");
            }
        }

        var revoke = _log.RevokeOf(target, userId);
        await _log.AppendRevokeAsync(target, revoke);
        Push(MessageLog.Revoked(target));
        Push(revoke);
        return new RevokeResult { RevokeSeq = revoke.Seq };
    }

    /// <summary>For conversation calls: the group exists (ConversationNotFound otherwise) and the user is a member now.</summary>
    private GroupMemberRecord RequireConversationMember(string userId)
    {
        if (!Group.Created)
        {
            throw new RequestRejectedException(ErrorCode.ConversationNotFound, "No such conversation.");
        }

        return Group.Members.GetValueOrDefault(userId)
            ?? throw new RequestRejectedException(ErrorCode.NotMember, Group.Former.ContainsKey(userId)
                ? "You are no longer a member of this group."
                : "Not a member of this group.");
    }

    /// <summary>The seqs the user may read: from their init seq to the newest (members) or to their last seq (former members).</summary>
    private (long First, long Last) VisibleRange(string userId)
    {
        if (!Group.Created)
        {
            throw new RequestRejectedException(ErrorCode.ConversationNotFound, "No such conversation.");
        }

        if (Group.Members.TryGetValue(userId, out var member))
        {
            return (member.InitSeq, _log.MaxSeq);
        }

        if (Group.Former.TryGetValue(userId, out var former))
        {
            return (former.InitSeq, former.LastSeq);
        }

        throw new RequestRejectedException(ErrorCode.NotMember, "Not a member of this group.");
    }
}
