using System.Runtime.InteropServices;
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

        return new MarkReadResult { ReadSeq = record.ReadSeq, Unread = Summarize(record, lastMessage: null).Unread };
    }

    public async Task<ConversationPage> GetConversations(int limit, int offset)
    {
        var take = limit == 0 ? DefaultPageSize : Math.Clamp(limit, 1, MaxPageSize);
        try
        {
            await RefreshGroupHeadsAsync(Conversations.Values);
        }
        catch (Exception ex)
        {
            LogListReadFailed(logger, ex, _userId);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The conversation list is unavailable; retry.");
        }

        var page = Conversations.Values
            .OrderByDescending(r => _newest.TryGetValue(r.ConversationId, out var newest) ? newest.ServerTimeMs : long.MinValue)
            .ThenBy(r => r.ConversationId, StringComparer.Ordinal)
            .Skip(Math.Max(0, offset))
            .Take(take)
            .ToList();
        var shown = await LastMessagesAsync(page);
        return new ConversationPage
        {
            Items = [.. page.Select(r => Summarize(r, shown.GetValueOrDefault(r.ConversationId)))],
            Total = Conversations.Count,
        };
    }

    /// <summary>
    /// The message each record's list entry shows: the newest the user may see, read from the store (the grain keeps
    /// only its seq and time, see <see cref="NewestKnown"/>). One read for the conversations the user is in, one per
    /// group the user left (shown as of when they left).
    /// </summary>
    private async Task<Dictionary<string, StoredMessage>> LastMessagesAsync(IReadOnlyCollection<ConversationRecord> records)
    {
        var shown = new Dictionary<string, StoredMessage>(StringComparer.Ordinal);
        try
        {
            var latest = await store.GetLatestAsync([.. records.Where(r => !r.Quit).Select(r => r.ConversationId)]);
            foreach (var record in records)
            {
                var seq = MaxSeqOf(record);
                StoredMessage? message;
                if (!record.Quit && latest.TryGetValue(record.ConversationId, out var newest) && newest.Seq >= seq)
                {
                    // Newer than the grain heard of when its notification is still on the way: it is stored, so count it.
                    Observe(record.ConversationId, newest.Seq, newest.ServerTimeMs);
                    message = newest;
                }
                else
                {
                    message = seq < 1 ? null : await store.GetAsync(record.ConversationId, seq);
                }

                // A member who joined a group later does not see what was said before (not even in the list).
                if (message is not null && message.Seq >= record.InitSeq)
                {
                    shown[record.ConversationId] = message;
                }
            }
        }
        catch (Exception ex)
        {
            LogListReadFailed(logger, ex, _userId);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The conversation list is unavailable; retry.");
        }

        return shown;
    }

    /// <summary>Keeps <paramref name="seq"/> as the conversation's newest unless a newer one is known.</summary>
    private void Observe(string conversationId, long seq, long serverTimeMs)
    {
        ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(_newest, conversationId, out _);
        if (seq >= known.Seq)
        {
            known = new NewestKnown(seq, serverTimeMs);
        }
    }

    private ConversationSummary Summarize(ConversationRecord record, StoredMessage? lastMessage)
    {
        return new ConversationSummary
        {
            ConversationId = record.ConversationId,
            Type = record.Type,
            Name = record.Name,
            Avatar = record.Avatar,
            PeerId = record.PeerId,
            LastMessage = lastMessage,
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
        var max = _newest.GetValueOrDefault(record.ConversationId).Seq;
        return record.Quit ? Math.Min(max, record.QuitSeq) : max;
    }
}
