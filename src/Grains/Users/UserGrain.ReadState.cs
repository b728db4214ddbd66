using System.Runtime.InteropServices;
using ImOrleans.Protocol.Messages;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// Read state (R21) and the conversation list (R20, R26).
internal sealed partial class UserGrain
{
    private const int DefaultPageSize = 20;
    private const int MaxPageSize = 100;

    /// <summary>Beyond the flush delay: the tell is a one-way call, and silos' clocks differ a little.</summary>
    private static readonly TimeSpan OwnSendsTellSlack = TimeSpan.FromSeconds(2);

    public async Task<MarkReadResult> MarkRead(string conversationId, long seq)
    {
        if (!Conversations.TryGetValue(conversationId, out var record))
        {
            throw new RequestRejectedException(ErrorCode.NotMember, "Not a member of this conversation.");
        }

        // This grain does not hear of every message (a group pushes to online members without it, a 1:1 conversation
        // to the members' edges), so the newest seq, which caps the read position and counts what is unread, is read.
        await ReadNewestAsync([record]);

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
        var newest = await ReadNewestAsync(Conversations.Values);
        var page = Conversations.Values
            .OrderByDescending(r => _newest.TryGetValue(r.ConversationId, out var known) ? known.ServerTimeMs : long.MinValue)
            .ThenBy(r => r.ConversationId, StringComparer.Ordinal)
            .Skip(Math.Max(0, offset))
            .Take(take)
            .ToList();
        var shown = await ShownMessagesAsync(page, newest);
        return new ConversationPage
        {
            Items = [.. page.Select(r => Summarize(r, shown.GetValueOrDefault(r.ConversationId)))],
            Total = Conversations.Count,
        };
    }

    /// <summary>
    /// Reads the newest stored message of each conversation the user is still in, in one store read, and counts it
    /// as known: it may be newer than what this grain heard of (a group pushes to online members without it, and a
    /// 1:1 notification may still be on the way). The grain itself keeps only seqs and times (<see cref="NewestKnown"/>).
    /// </summary>
    /// <param name="records">The conversations to read; those the user left are skipped.</param>
    /// <param name="askOwnSends">
    /// Also ask conversations for own sends not told yet (<see cref="AskRecentOwnSendsAsync"/>): for answers that show
    /// read state, not at activation: every call that answers read state reads (and asks) again.
    /// </param>
    private async Task<IReadOnlyDictionary<string, StoredMessage>> ReadNewestAsync(IEnumerable<ConversationRecord> records, bool askOwnSends = true)
    {
        IReadOnlyDictionary<string, StoredMessage> newest;
        try
        {
            newest = await store.GetLatestAsync([.. records.Where(r => !r.Quit).Select(r => r.ConversationId)]);
        }
        catch (Exception ex)
        {
            LogListReadFailed(logger, ex, _userId);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The message store is unavailable; retry.");
        }

        foreach (var (conversationId, message) in newest)
        {
            Observe(conversationId, message.Seq, message.ServerTimeMs);

            // A 1:1 conversation tells this grain of the user's own sends within half a minute (MemberPositions); the
            // newest being their own is known here at once.
            if (message.SenderId == _userId && Conversations.TryGetValue(conversationId, out var record))
            {
                ReadOwnMessage(record, message.Seq);
            }
        }

        if (askOwnSends)
        {
            await AskRecentOwnSendsAsync(newest);
        }

        return newest;
    }

    /// <summary>
    /// Own sends a 1:1 conversation may not have told yet: it tells within <see cref="MemberPositions.OwnSendsDelay"/>,
    /// so only a conversation whose newest message is that recent, someone else's and unread, is asked (one call to a
    /// grain that is active, since it just stored that message).
    /// </summary>
    private async Task AskRecentOwnSendsAsync(IReadOnlyDictionary<string, StoredMessage> newest)
    {
        var recentFromMs = time.GetUtcNow().Add(-(MemberPositions.OwnSendsDelay + OwnSendsTellSlack)).ToUnixTimeMilliseconds();
        List<Task>? asks = null;
        foreach (var (conversationId, message) in newest)
        {
            if (message.SenderId != _userId && message.ServerTimeMs >= recentFromMs
                && Conversations.TryGetValue(conversationId, out var record)
                && record.Type == ConversationType.Single && message.Seq > record.ReadSeq)
            {
                (asks ??= []).Add(AskLastSentAsync(record));
            }
        }

        if (asks is not null)
        {
            await Task.WhenAll(asks);
        }
    }

    private async Task AskLastSentAsync(ConversationRecord record)
    {
        try
        {
            ReadOwnMessage(record, await GrainFactory.GetGrain<IConversationGrain>(GrainKeys.Conversation(record.ConversationId)).LastSentBy(_userId));
        }
        catch (Exception ex)
        {
            // The list is still answered; the conversation's own tell brings the position later.
            LogOwnSendsAskFailed(logger, ex, _userId, record.ConversationId);
        }
    }

    /// <summary>
    /// The message each list entry shows: the newest the user may see. For a group the user left, the one they left
    /// at (one store read each); none from before the user joined.
    /// </summary>
    private async Task<Dictionary<string, StoredMessage>> ShownMessagesAsync(IReadOnlyCollection<ConversationRecord> page, IReadOnlyDictionary<string, StoredMessage> newest)
    {
        var shown = new Dictionary<string, StoredMessage>(StringComparer.Ordinal);
        foreach (var record in page)
        {
            var message = record.Quit ? await ReadLeftAtAsync(record) : newest.GetValueOrDefault(record.ConversationId);
            if (message is not null && message.Seq >= record.InitSeq)
            {
                shown[record.ConversationId] = message;
            }
        }

        return shown;
    }

    private async Task<StoredMessage?> ReadLeftAtAsync(ConversationRecord record)
    {
        StoredMessage? message;
        try
        {
            message = record.QuitSeq < 1 ? null : await store.GetAsync(record.ConversationId, record.QuitSeq);
        }
        catch (Exception ex)
        {
            LogListReadFailed(logger, ex, _userId);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The message store is unavailable; retry.");
        }

        if (message is not null)
        {
            Observe(record.ConversationId, message.Seq, message.ServerTimeMs);
        }

        return message;
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
