using System.Text;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol.Messages;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// Sending (R12, R15, R16): validate, deduplicate by client message id, store under the next seq,
// ack, then notify the members' user grains.
internal sealed partial class ConversationGrain
{
    private const int MaxClientMsgIdLength = 64;

    public async Task<SendResult> Send(string senderId, OutgoingMessage message)
    {
        RequireMember(senderId);
        Validate(message);
        if (_recent.Find(senderId, message.ClientMsgId) is { } recent)
        {
            return Duplicate(recent);
        }

        if (message.Resend && await FindEarlierSendAsync(senderId, message.ClientMsgId) is { } earlier)
        {
            _recent.Add(earlier);
            return Duplicate(earlier);
        }

        await EnsureCreatedAsync();
        var stored = new StoredMessage
        {
            ConversationId = _id,
            Seq = _maxSeq + 1,
            ClientMsgId = message.ClientMsgId,
            SenderId = senderId,
            Type = message.Type,
            Content = message.Content,
            Attachments = message.Attachments,
            ClientTimeMs = message.ClientTimeMs,
            ServerTimeMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
            Status = MessageStatus.Normal,
        };
        await AppendAsync(stored);
        _maxSeq = stored.Seq;
        _recent.Add(stored);

        // Stored: now every member's user grain pushes it to its sessions, the sender's own too (R22).
        // One-way calls, so the sender's ack does not wait for any push.
        foreach (var member in _members)
        {
            await User(member).OnMessage(stored);
        }

        return new SendResult { Seq = stored.Seq, ServerTimeMs = stored.ServerTimeMs };
    }

    private void Validate(OutgoingMessage? message)
    {
        if (message is null)
        {
            throw Invalid("message is required");
        }

        if (string.IsNullOrEmpty(message.ClientMsgId) || message.ClientMsgId.Length > MaxClientMsgIdLength)
        {
            throw Invalid($"client_msg_id must be 1-{MaxClientMsgIdLength} characters");
        }

        if (message.Type == MessageType.Unspecified || !Enum.IsDefined(message.Type))
        {
            throw Invalid("type is not a known message type");
        }

        if (Encoding.UTF8.GetByteCount(message.Content ?? "") > _options.MaxContentBytes)
        {
            throw Invalid($"content is larger than {_options.MaxContentBytes} bytes");
        }

        static RequestRejectedException Invalid(string reason) => new(ErrorCode.InvalidArgument, reason);
    }

    private async Task<StoredMessage?> FindEarlierSendAsync(string senderId, string clientMsgId)
    {
        try
        {
            var found = await store.FindByClientMsgIdAsync(_id, clientMsgId);
            return found?.SenderId == senderId ? found : null;
        }
        catch (Exception ex)
        {
            LogStoreFailed(logger, ex, _id);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The message store is unavailable; resend later.");
        }
    }

    /// <summary>Before the first message, both members' user grains durably record the conversation.</summary>
    private async Task EnsureCreatedAsync()
    {
        if (state.State.Created)
        {
            return;
        }

        try
        {
            await Task.WhenAll(_members.Select(member => User(member).EnsureConversation(new ConversationMembership
            {
                ConversationId = _id,
                Type = ConversationType.Single,
                PeerId = _members.First(m => m != member),
                InitSeq = SingleInitSeq,
            })));
            state.State.Created = true;
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            state.State.Created = false;
            LogCreateFailed(logger, ex, _id);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The conversation could not be created; resend later.");
        }
    }

    private async Task AppendAsync(StoredMessage stored)
    {
        try
        {
            await store.AppendAsync(stored);
        }
        catch (SeqTakenException ex)
        {
            // Another activation stored this seq: this one's counter is stale. Let a fresh
            // activation reload it from the store; the client's resend then gets the next seq.
            LogSeqTaken(logger, ex, _id, stored.Seq);
            DeactivateOnIdle();
            throw new RequestRejectedException(ErrorCode.Unavailable, "The message was not stored; resend it.");
        }
        catch (Exception ex)
        {
            LogStoreFailed(logger, ex, _id);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The message was not stored; resend it.");
        }
    }

    private static SendResult Duplicate(StoredMessage earlier) =>
        new() { Seq = earlier.Seq, ServerTimeMs = earlier.ServerTimeMs, Duplicate = true };
}
