using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// Sending (R12, R15, R16, R18) and business notices (R11): validate, deduplicate by client message id, store under
// the next seq, ack, then notify the members' user grains.
internal sealed partial class ConversationGrain
{
    /// <summary><see cref="NotifyMembers"/> as the message log's callback, made once.</summary>
    private Action<StoredMessage, string>? _notifyMembers;

    /// <summary>Each member's newest seq sent since activation (<see cref="LastSentBy"/>), by member index.</summary>
    private long[] _lastSent = [];

    /// <summary>Each member's newest seq their user grain was told of (<see cref="TellOwnSends"/>), by member index.</summary>
    private long[] _toldSent = [];

    public Task<long> LastSentBy(string userId)
    {
        var index = Array.IndexOf(_members, userId);
        return Task.FromResult(index < 0 ? 0 : _lastSent[index]);
    }

    // Not async itself: a send waits for its commit, and each async layer that waits in a grain costs its own
    // continuation objects and a scheduled task when it resumes. A refusal thrown here reaches the caller the same way.
    public Task<SendResult> Send(string senderId, OutgoingMessage message)
    {
        CheckSend(senderId, message);
        return StoreAsync(senderId, message);
    }

    public Task SendWithReply(string senderId, OutgoingMessage message, IEdgeFanout replyTo)
    {
        var reply = new SendReply(_localSessions?.LocalEdge(replyTo) ?? replyTo, message.ReplyToken);
        try
        {
            CheckSend(senderId, message);

            // The usual send is queued to the store in this turn, under the next seq, and answered once stored without
            // holding the turn, so that the next send may queue while this one commits (the log takes their results
            // in seq order): no continuation of Orleans' own waits for the commit. A resend, or the conversation's
            // first message, holds the turn until it is stored, as for Send.
            return TryAppendNow(senderId, message, reply, out _, out var earlier)
                ? Task.CompletedTask
                : ReplyWhenStoredAsync(StoreAfterChecksAsync(senderId, message, earlier), reply);
        }
        catch (Exception ex)
        {
            Refuse(reply, ex);
            return Task.CompletedTask;
        }
    }

    private async Task ReplyWhenStoredAsync(Task<SendResult> send, SendReply reply)
    {
        try
        {
            reply.Answer(await send);
        }
        catch (Exception ex)
        {
            Refuse(reply, ex);
        }
    }

    /// <summary>Answers a send that failed: with its refusal, or, for anything unexpected (logged), Unavailable.</summary>
    private void Refuse(SendReply reply, Exception failure)
    {
        if (failure is RequestRejectedException refusal)
        {
            reply.Refuse(refusal);
            return;
        }

        LogSendFailed(logger, failure, _id);
        reply.Refuse(ErrorCode.Unavailable, "The message was not stored; resend it.");
    }

    /// <summary>Refuses a send this conversation does not take, before anything is stored.</summary>
    private void CheckSend(string senderId, OutgoingMessage message)
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

    private Task<SendResult> StoreAsync(string senderId, OutgoingMessage message) =>
        TryAppendNow(senderId, message, null, out var append, out var earlier)
            ? append
            : StoreAfterChecksAsync(senderId, message, earlier);

    /// <summary>
    /// Usually no earlier send matches (found without waiting) and the conversation exists: then the send is the log's
    /// append, started here, with no async layer of its own. Otherwise false, with the lookup of an earlier send.
    /// </summary>
    private bool TryAppendNow(string senderId, OutgoingMessage message, SendReply? reply, out Task<SendResult> append, out Task<StoredMessage?> earlier)
    {
        earlier = _log.FindEarlierSendAsync(senderId, message);
        if (_created && earlier.IsCompletedSuccessfully && earlier.Result is null)
        {
            append = AppendAndNotify(senderId, message, reply);
            return true;
        }

        append = null!;
        return false;
    }

    private async Task<SendResult> StoreAfterChecksAsync(string senderId, OutgoingMessage message, Task<StoredMessage?> earlierSend)
    {
        if (await earlierSend is { } earlier)
        {
            return new SendResult { Seq = earlier.Seq, ServerTimeMs = earlier.ServerTimeMs, Duplicate = true };
        }

        await EnsureCreatedAsync();
        return await AppendAndNotify(senderId, message);
    }

    /// <summary>
    /// Stores the message under the next seq and, once it is stored, pushes it to every member's sessions, the sender's
    /// other devices too (R22), through their edges (ConversationGrain.Routes.cs); one-way, so the sender's ack does
    /// not wait for any push. With <paramref name="reply"/>, the sender is answered there (<see cref="SendWithReply"/>).
    /// </summary>
    private Task<SendResult> AppendAndNotify(string senderId, OutgoingMessage message, SendReply? reply = null) =>
        _log.AppendAsync(_log.Next(senderId, message), _notifyMembers ??= NotifyMembers, message.OriginSessionId, reply);

    private void NotifyMembers(StoredMessage message, string originSessionId)
    {
        for (var i = 0; i < _members.Length; i++)
        {
            if (_members[i] == message.SenderId)
            {
                _lastSent[i] = message.Seq;
                PushOwnMessage(i, message, originSessionId);
            }
            else
            {
                PushMessage(i, message);
            }
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
