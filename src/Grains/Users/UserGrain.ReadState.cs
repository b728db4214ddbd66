using ImOrleans.Protocol.Messages;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// Read state (R21) and the conversation list (R20, R26).
internal sealed partial class UserGrain
{
    private const int DefaultPageSize = 20;
    private const int MaxPageSize = 100;

    public async Task<MarkReadResult> MarkRead(string conversationId, long seq)
    {
        if (!Conversations.TryGetValue(conversationId, out var record))
        {
            throw new RequestRejectedException(ErrorCode.NotMember, "Not a member of this conversation.");
        }

        if (record.Type == ConversationType.Group && seq > MaxSeqOf(record))
        {
            await RefreshGroupHeadsAsync([record]);
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
            await GrainFactory.MessageLog(conversationId).OnRead(_userId, target);
            var receipt = new Receipt { ConversationId = conversationId, UserId = _userId, ReadSeq = target };
            Push(receipt, static (observer, r) => observer.OnReceipt(r));
        }

        return new MarkReadResult { ReadSeq = record.ReadSeq, Unread = Summarize(record).Unread };
    }

    public async Task<ConversationPage> GetConversations(int limit, int offset)
    {
        await RefreshGroupHeadsAsync(Conversations.Values);
        var take = limit == 0 ? DefaultPageSize : Math.Clamp(limit, 1, MaxPageSize);
        var items = Conversations.Values
            .Select(Summarize)
            .OrderByDescending(s => s.LastMessage?.ServerTimeMs ?? long.MinValue)
            .ThenBy(s => s.ConversationId, StringComparer.Ordinal)
            .Skip(Math.Max(0, offset))
            .Take(take)
            .ToList();
        return new ConversationPage { Items = items, Total = Conversations.Count };
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
            MaxSeq = MaxSeqOf(record),
            ReadSeq = record.ReadSeq,
            Muted = record.Muted,
            Quit = record.Quit,
            Extra = record.Extra,
        };
    }

    private long MaxSeqOf(string conversationId) =>
        Conversations.TryGetValue(conversationId, out var record) ? MaxSeqOf(record) : 0;

    /// <summary>The newest seq the user may see: a group they left stops at the seq they left at.</summary>
    private long MaxSeqOf(ConversationRecord record)
    {
        var max = _lastMessages.GetValueOrDefault(record.ConversationId)?.Seq ?? 0;
        return record.Quit ? Math.Min(max, record.QuitSeq) : max;
    }
}
