using ImOrleans.Grains.Storage;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// Delivered and read receipts (R17): the highest seq each member has received and read, stored
// (never moved back) and then told to the other members.
internal sealed partial class ConversationGrain
{
    /// <summary>
    /// Each member's delivered and read seqs, as values: a receipt object per ack, young and referenced from this old
    /// dictionary, was traced by every collection for every conversation in use (docs/benchmarks.md, session 13, item 9).
    /// </summary>
    private readonly Dictionary<string, (long DeliveredSeq, long ReadSeq)> _receipts = new(StringComparer.Ordinal);
    private MemberPositions _positions = null!;

    public Task AckDelivered(string userId, long seq)
    {
        RequireMember(userId);
        var (deliveredBefore, read) = _receipts.GetValueOrDefault(userId);
        var delivered = Math.Min(seq, _log.MaxSeq);
        if (delivered > deliveredBefore)
        {
            // Held and told now, stored within five seconds (MemberPositions).
            _receipts[userId] = (delivered, read);
            _positions.AddDelivered(userId, delivered);
            TellOtherMembers(new Receipt { ConversationId = _id, UserId = userId, DeliveredSeq = delivered, ReadSeq = read });
        }

        return Task.CompletedTask;
    }

    public Task OnDelivered(string userId, long seq)
    {
        // One-way from the edge: there is no caller to reject, so refusals are only logged.
        if (!IsMember(userId))
        {
            LogForeignDelivered(logger, _id, userId);
            return Task.CompletedTask;
        }

        return AckDelivered(userId, seq);
    }

    public async Task OnRead(string userId, long readSeq)
    {
        // One-way from the user grain: there is no caller to reject, so refusals are only logged.
        if (!IsMember(userId))
        {
            LogForeignRead(logger, _id, userId);
            return;
        }

        var current = ReceiptOf(userId);
        var read = Math.Min(readSeq, _log.MaxSeq);
        if (read <= current.ReadSeq)
        {
            return;
        }

        try
        {
            // Read implies delivered.
            await SaveReceiptAsync(current with { ReadSeq = read, DeliveredSeq = Math.Max(current.DeliveredSeq, read) });
        }
        catch (RequestRejectedException)
        {
            // Logged by SaveReceiptAsync; the client's next mark-read carries the read state again.
        }
    }

    public async Task<ReadCount> GetReadCount(string userId, long seq)
    {
        RequireMember(userId);
        var target = await _log.GetAsync(seq) ?? throw new RequestRejectedException(ErrorCode.MessageNotFound, $"No message with seq {seq}.");
        var others = _members.Where(m => m != target.SenderId).ToList();
        var read = others.Count(m => ReceiptOf(m).ReadSeq >= seq);
        return new ReadCount { Read = read, Unread = others.Count - read };
    }

    public Task<NoticeStatus> GetNoticeStatus(long seq)
    {
        if (!_isNotice)
        {
            throw new RequestRejectedException(ErrorCode.InvalidArgument, "Only notice conversations have notice status.");
        }

        var receipt = ReceiptOf(_members[0]);
        var exists = seq >= FirstSeq && seq <= _log.MaxSeq;
        return Task.FromResult(new NoticeStatus
        {
            Exists = exists,
            Delivered = exists && receipt.DeliveredSeq >= seq,
            Read = exists && receipt.ReadSeq >= seq,
            DeliveredSeq = receipt.DeliveredSeq,
            ReadSeq = receipt.ReadSeq,
        });
    }

    private async Task LoadReceiptsAsync()
    {
        foreach (var receipt in await store.GetReceiptsAsync(_id))
        {
            Keep(receipt);
        }
    }

    private Receipt ReceiptOf(string userId)
    {
        var (delivered, read) = _receipts.GetValueOrDefault(userId);
        return new Receipt { ConversationId = _id, UserId = userId, DeliveredSeq = delivered, ReadSeq = read };
    }

    private void Keep(Receipt receipt) => _receipts[receipt.UserId] = (receipt.DeliveredSeq, receipt.ReadSeq);

    private async Task SaveReceiptAsync(Receipt receipt)
    {
        try
        {
            await store.SaveReceiptAsync(_id, receipt.UserId, receipt.DeliveredSeq, receipt.ReadSeq);
        }
        catch (Exception ex)
        {
            LogStoreFailed(logger, ex, _id);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The receipt was not stored; retry.");
        }

        Keep(receipt);
        TellOtherMembers(receipt);
    }

    private void TellOtherMembers(Receipt receipt)
    {
        for (var i = 0; i < _members.Length; i++)
        {
            if (_members[i] != receipt.UserId)
            {
                PushReceipt(i, receipt);
            }
        }
    }
}
