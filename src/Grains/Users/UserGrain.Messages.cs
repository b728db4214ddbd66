using ImOrleans.Protocol.Messages;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// The user's own view of messages and conversations: delete for me (R19) and conversation settings (R20).
internal sealed partial class UserGrain
{
    private const int MaxDeletesPerRequest = 100;
    private const int MaxExtraLength = 1024;

    public async Task DeleteMessages(string conversationId, IReadOnlyList<long> seqs)
    {
        var record = RecordOf(conversationId);
        if (seqs is null || seqs.Count is 0 or > MaxDeletesPerRequest)
        {
            throw new RequestRejectedException(ErrorCode.InvalidArgument, $"seqs must list 1-{MaxDeletesPerRequest} messages.");
        }

        var distinct = seqs.Distinct().Order().ToList();
        if (distinct[^1] > MaxSeqOf(record))
        {
            await ReadNewestAsync([record]); // This grain does not hear of every message (see MarkRead).
        }

        var max = MaxSeqOf(record);
        if (distinct[0] < record.InitSeq || distinct[^1] > max)
        {
            throw new RequestRejectedException(ErrorCode.MessageNotFound, $"Only seqs {record.InitSeq}-{max} of this conversation are yours to delete.");
        }

        try
        {
            await store.HideAsync(_userId, conversationId, distinct);
        }
        catch (Exception ex)
        {
            LogStateWriteFailed(logger, ex, _userId);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The delete was not stored; retry.");
        }

        // Every device of the user replaces its copy (R22); pulls return these as deleted from now on.
        foreach (var seq in distinct)
        {
            var deleted = new StoredMessage { ConversationId = conversationId, Seq = seq, Status = MessageStatus.Deleted };
            Push(deleted, static (observer, m) => observer.OnMessage(m));
        }
    }

    public async Task<ConversationSummary> UpdateConversation(string conversationId, ConversationUpdate update)
    {
        var record = RecordOf(conversationId);
        if (update.Extra is { Length: > MaxExtraLength })
        {
            throw new RequestRejectedException(ErrorCode.InvalidArgument, $"extra must be at most {MaxExtraLength} characters.");
        }

        var before = (record.Muted, record.Extra);
        record.Muted = update.Muted ?? record.Muted;
        record.Extra = update.Extra ?? record.Extra;
        if (before != (record.Muted, record.Extra))
        {
            try
            {
                await WriteStateAsync();
            }
            catch (Exception ex)
            {
                (record.Muted, record.Extra) = before;
                LogStateWriteFailed(logger, ex, _userId);
                throw new RequestRejectedException(ErrorCode.Unavailable, "The change was not stored; retry.");
            }
        }

        var shown = await ShownMessagesAsync([record], await ReadNewestAsync([record]));
        return Summarize(record, shown.GetValueOrDefault(conversationId));
    }

    private ConversationRecord RecordOf(string conversationId) =>
        Conversations.GetValueOrDefault(conversationId)
        ?? throw new RequestRejectedException(ErrorCode.NotMember, "Not a conversation of yours.");
}
