using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// Sending (R12, R15, R16, R18) and business notices (R11): validate, deduplicate by client message id, store under
// the next seq, ack, then notify the members' user grains.
internal sealed partial class ConversationGrain
{
    public async Task<SendResult> Send(string senderId, OutgoingMessage message)
    {
        RequireMember(senderId);
        if (_isNotice)
        {
            throw new RequestRejectedException(ErrorCode.PermissionDenied, "Notice conversations are written by business services only.");
        }

        MessageRules.Validate(message, _options.MaxContentBytes);
        if (message.Type == MessageType.ChannelNotice)
        {
            throw new RequestRejectedException(ErrorCode.InvalidArgument, "Channel notices are sent in groups and notice conversations, not 1:1.");
        }

        return await StoreAsync(senderId, message);
    }

    public async Task<SendResult> PostNotice(string source, OutgoingMessage notice)
    {
        if (!_isNotice)
        {
            throw new RequestRejectedException(ErrorCode.InvalidArgument, "Notices go to notice conversations (n:<user id>).");
        }

        if (!Identifiers.IsValidUserId(source))
        {
            throw new RequestRejectedException(ErrorCode.InvalidArgument, "source must be 1-64 characters of [A-Za-z0-9_.@-].");
        }

        MessageRules.Validate(notice, _options.MaxContentBytes);
        return await StoreAsync(source, notice);
    }

    private async Task<SendResult> StoreAsync(string senderId, OutgoingMessage message)
    {
        if (await _log.FindEarlierSendAsync(senderId, message) is { } earlier)
        {
            return new SendResult { Seq = earlier.Seq, ServerTimeMs = earlier.ServerTimeMs, Duplicate = true };
        }

        await EnsureCreatedAsync();
        var stored = _log.Next(senderId, message);
        await _log.AppendAsync(stored);

        // Stored: now every member's user grain pushes it to its sessions, the sender's own too (R22).
        // One-way calls, so the sender's ack does not wait for any push.
        await NotifyMembersAsync(stored, message.OriginSessionId);
        return new SendResult { Seq = stored.Seq, ServerTimeMs = stored.ServerTimeMs };
    }

    private async Task NotifyMembersAsync(StoredMessage message, string originSessionId)
    {
        foreach (var member in _members)
        {
            await User(member).OnMessage(message, originSessionId);
        }
    }

    /// <summary>Before the first message, every member's user grain durably records the conversation (see <see cref="_created"/>).</summary>
    private async Task EnsureCreatedAsync()
    {
        if (_created)
        {
            return;
        }

        try
        {
            await Task.WhenAll(_members.Select(member => User(member).EnsureConversation(new ConversationMembership
            {
                ConversationId = _id,
                Type = _isNotice ? ConversationType.System : ConversationType.Single,
                PeerId = _isNotice ? "" : _members.First(m => m != member),
                Name = _isNotice ? "Notices" : "",
                InitSeq = FirstSeq,
            })));
            _created = true;
        }
        catch (Exception ex)
        {
            LogCreateFailed(logger, ex, _id);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The conversation could not be created; resend later.");
        }
    }
}
