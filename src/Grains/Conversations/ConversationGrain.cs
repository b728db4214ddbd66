using System.Text;
using ImOrleans.Grains.Hosting;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization.Invocation;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

/// <summary>
/// Owns a conversation's seq counter, so it is not reentrant: sends are stored one after another
/// under contiguous seqs (R15). Only <see cref="Pull"/>, which changes nothing, may interleave.
/// </summary>
[GrainType("conversation")]
[MayInterleave(nameof(IsReadOnly))]
internal sealed partial class ConversationGrain(
    [PersistentState("conversation", StorageNames.Grains)] IPersistentState<ConversationState> state,
    IMessageStore store,
    TimeProvider time,
    IOptions<ConversationOptions> options,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain
{
    private const int DefaultPageSize = 20;
    private const int MaxPageSize = 100;
    private const int MaxClientMsgIdLength = 64;

    /// <summary>Members of a single conversation see it from its first message.</summary>
    private const long SingleInitSeq = 1;

    private readonly ConversationOptions _options = options.Value;
    private readonly RecentSends _recent = new(options.Value.RecentSendCapacity);
    private string _id = "";
    private string[] _members = [];
    private long _maxSeq;

    public static bool IsReadOnly(IInvokable request) => request.GetMethodName() == nameof(Pull);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _id = this.GetPrimaryKeyString();
        if (!Identifiers.TryParseSingle(_id, out var a, out var b))
        {
            return; // No members: every call is rejected with ConversationNotFound.
        }

        _members = [a, b];
        _maxSeq = await store.GetMaxSeqAsync(_id);
        await LoadReceiptsAsync();
    }

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

    public async Task<HistoryPage> Pull(string userId, long minSeq, long maxSeq, int limit)
    {
        RequireMember(userId);
        var newest = _maxSeq;
        var take = limit == 0 ? DefaultPageSize : Math.Clamp(limit, 1, MaxPageSize);
        var from = Math.Max(minSeq, SingleInitSeq);
        var to = maxSeq <= 0 || maxSeq > newest ? newest : maxSeq;
        IReadOnlyList<StoredMessage> messages = [];
        if (from <= to)
        {
            try
            {
                messages = await store.ReadRangeAsync(_id, from, to, take);
            }
            catch (Exception ex)
            {
                LogStoreFailed(logger, ex, _id);
                throw new RequestRejectedException(ErrorCode.Unavailable, "History is unavailable; retry.");
            }
        }

        return new HistoryPage { Messages = messages, MaxSeq = newest, InitSeq = SingleInitSeq };
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

    private void RequireMember(string userId)
    {
        if (_members.Length == 0)
        {
            throw new RequestRejectedException(ErrorCode.ConversationNotFound, "No such conversation.");
        }

        if (!IsMember(userId))
        {
            throw new RequestRejectedException(ErrorCode.NotMember, "Not a member of this conversation.");
        }
    }

    private bool IsMember(string userId) => Array.IndexOf(_members, userId) >= 0;

    private IUserGrain User(string userId) => GrainFactory.GetGrain<IUserGrain>(GrainKeys.User(userId));
}
