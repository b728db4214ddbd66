using ImOrleans.Grains.Hosting;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

/// <summary>
/// A user's conversation records and read state (this file) and live sessions (UserGrain.Sessions.cs).
/// Max seq and last message per conversation are in memory: loaded from the store on activation and
/// kept current by <see cref="OnMessage"/>.
/// </summary>
[GrainType("user")]
internal sealed partial class UserGrain(
    [PersistentState("user", StorageNames.Grains)] IPersistentState<UserState> state,
    IMessageStore store,
    TimeProvider time,
    IOptions<UserGrainOptions> options,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private const int DefaultPageSize = 20;
    private const int MaxPageSize = 100;

    private readonly Dictionary<string, StoredMessage> _lastMessages = new(StringComparer.Ordinal);
    private string _userId = "";

    /// <summary>State changed in memory but not yet written (read seq of own sends, last seen): flushed by the timer and on deactivation.</summary>
    private bool _dirty;

    private Dictionary<string, ConversationRecord> Conversations => state.State.Conversations;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _userId = key.StartsWith(GrainKeys.UserPrefix, StringComparison.Ordinal) ? GrainKeys.UserIdOf(key) : key;
        foreach (var (conversationId, last) in await store.GetLatestAsync(Conversations.Keys))
        {
            _lastMessages[conversationId] = last;
        }

        StartMaintenanceTimer();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            await TryFlushAsync();
        }
    }

    public async Task EnsureConversation(ConversationMembership membership)
    {
        if (Conversations.ContainsKey(membership.ConversationId))
        {
            return;
        }

        var initSeq = Math.Max(1, membership.InitSeq);
        Conversations[membership.ConversationId] = new ConversationRecord
        {
            ConversationId = membership.ConversationId,
            Type = membership.Type,
            PeerId = membership.PeerId,
            Name = membership.Name,
            InitSeq = initSeq,
            ReadSeq = initSeq - 1,
        };
        try
        {
            await WriteStateAsync();
        }
        catch
        {
            // Not durable, so not a member yet: the caller retries and must find it absent.
            Conversations.Remove(membership.ConversationId);
            throw;
        }
    }

    public async Task OnMessage(StoredMessage message)
    {
        if (!Conversations.TryGetValue(message.ConversationId, out var record))
        {
            if (RecordFromId(message.ConversationId) is not { } added)
            {
                LogForeignMessage(logger, _userId, message.ConversationId);
                return;
            }

            Conversations[message.ConversationId] = record = added;
            await TryFlushAsync();
        }

        if (!_lastMessages.TryGetValue(message.ConversationId, out var last) || message.Seq > last.Seq)
        {
            _lastMessages[message.ConversationId] = message;
        }

        if (message.SenderId == _userId && message.Seq > record.ReadSeq)
        {
            record.ReadSeq = message.Seq; // Your own message is read.
            _dirty = true;
        }

        Push(message, static (observer, m) => observer.OnMessage(m));
    }

    public async Task<MarkReadResult> MarkRead(string conversationId, long seq)
    {
        if (!Conversations.TryGetValue(conversationId, out var record))
        {
            throw new RequestRejectedException(ErrorCode.NotMember, "Not a member of this conversation.");
        }

        var target = Math.Min(seq, MaxSeqOf(conversationId));
        if (target > record.ReadSeq)
        {
            var previous = record.ReadSeq;
            record.ReadSeq = target;
            try
            {
                await WriteStateAsync();
            }
            catch (Exception ex)
            {
                record.ReadSeq = previous;
                LogStateWriteFailed(logger, ex, _userId);
                throw new RequestRejectedException(ErrorCode.Unavailable, "The read state was not stored; retry.");
            }

            // Stored: the other members get a read receipt, and this user's other devices sync (R22).
            await GrainFactory.GetGrain<IConversationGrain>(GrainKeys.Conversation(conversationId)).OnRead(_userId, target);
            var receipt = new Receipt { ConversationId = conversationId, UserId = _userId, ReadSeq = target };
            Push(receipt, static (observer, r) => observer.OnReceipt(r));
        }

        return new MarkReadResult { ReadSeq = record.ReadSeq, Unread = Summarize(record).Unread };
    }

    public Task<ConversationPage> GetConversations(int limit, int offset)
    {
        var take = limit == 0 ? DefaultPageSize : Math.Clamp(limit, 1, MaxPageSize);
        var items = Conversations.Values
            .Select(Summarize)
            .OrderByDescending(s => s.LastMessage?.ServerTimeMs ?? long.MinValue)
            .ThenBy(s => s.ConversationId, StringComparer.Ordinal)
            .Skip(Math.Max(0, offset))
            .Take(take)
            .ToList();
        return Task.FromResult(new ConversationPage { Items = items, Total = Conversations.Count });
    }

    private ConversationSummary Summarize(ConversationRecord record)
    {
        var last = _lastMessages.GetValueOrDefault(record.ConversationId);
        return new ConversationSummary
        {
            ConversationId = record.ConversationId,
            Type = record.Type,
            Name = record.Name,
            Avatar = record.Avatar,
            PeerId = record.PeerId,
            LastMessage = last,
            InitSeq = record.InitSeq,
            MaxSeq = last?.Seq ?? 0,
            ReadSeq = record.ReadSeq,
            Muted = record.Muted,
            Quit = record.Quit,
            Extra = record.Extra,
        };
    }

    private long MaxSeqOf(string conversationId) => _lastMessages.GetValueOrDefault(conversationId)?.Seq ?? 0;

    /// <summary>A record for a conversation first heard of through a message; null if the id names no conversation of this user.</summary>
    private ConversationRecord? RecordFromId(string conversationId) =>
        Identifiers.PeerOf(conversationId, _userId) is { } peer
            ? new ConversationRecord { ConversationId = conversationId, Type = ConversationType.Single, PeerId = peer, InitSeq = 1 }
            : null;

    private async Task WriteStateAsync()
    {
        await state.WriteStateAsync();
        _dirty = false;
    }

    private async Task TryFlushAsync()
    {
        try
        {
            await WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Kept in memory and retried by the next flush; durability of messages does not depend on it.
            _dirty = true;
            LogStateWriteFailed(logger, ex, _userId);
        }
    }
}
