using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// Group receipts: each member's delivered and read positions are stored, never pushed to the other members (a
// read in a group of 10,000 would be 10,000 pushes); a sender asks for a message's read count instead. These
// calls interleave with sends and membership changes: they touch only the receipts, and keep the highest value.
internal sealed partial class GroupGrain
{
    /// <summary>
    /// Each member's delivered and read seqs, as values, as in a 1:1 conversation: a receipt object per ack (a thousand
    /// per message with a thousand members online), young and referenced from this old dictionary, was found and
    /// promoted by every collection (docs/benchmarks.md, session 22).
    /// </summary>
    private readonly Dictionary<string, (long DeliveredSeq, long ReadSeq)> _receipts = new(StringComparer.Ordinal);
    private MemberPositions _positions = null!;

    public Task AckDelivered(string userId, long seq)
    {
        var (_, last) = VisibleRange(userId);
        var delivered = Math.Min(seq, last);
        var current = ReceiptOf(userId);
        if (delivered > current.DeliveredSeq)
        {
            // Held now, stored within five seconds (MemberPositions): a message to a thousand online members brings a thousand acks.
            _receipts[userId] = (delivered, current.ReadSeq);
            _positions.AddDelivered(userId, delivered);
        }

        return Task.CompletedTask;
    }

    public Task OnDelivered(string userId, long seq)
    {
        // One-way: a non-member's ack is dropped (edges send group acks through AckDelivered, which answers).
        return Group.Created && Group.Members.ContainsKey(userId) ? AckDelivered(userId, seq) : Task.CompletedTask;
    }

    public async Task OnRead(string userId, long readSeq)
    {
        // One-way from the user grain: nobody to tell about a refusal.
        if (!Group.Created || !Group.Members.ContainsKey(userId))
        {
            return;
        }

        var read = Math.Min(readSeq, _log.MaxSeq);
        if (read > ReceiptOf(userId).ReadSeq)
        {
            try
            {
                await SaveReceiptAsync(userId, read, read);
            }
            catch (RequestRejectedException)
            {
                // Logged; the client's next mark-read carries the read state again.
            }
        }
    }

    public async Task<ReadCount> GetReadCount(string userId, long seq)
    {
        var (first, last) = VisibleRange(userId);
        var target = seq < first || seq > last ? null : await _log.GetAsync(seq);
        if (target is null)
        {
            throw new RequestRejectedException(ErrorCode.MessageNotFound, $"No message with seq {seq} that you can see.");
        }

        // Those who could see it: members now, other than its sender, who were there when it was sent.
        var read = 0;
        var unread = 0;
        foreach (var (member, record) in Group.Members)
        {
            if (member == target.SenderId || record.InitSeq > seq)
            {
                continue;
            }

            if (ReceiptOf(member).ReadSeq >= seq)
            {
                read++;
            }
            else
            {
                unread++;
            }
        }

        return new ReadCount { Read = read, Unread = unread };
    }

    private async Task LoadReceiptsAsync()
    {
        foreach (var receipt in await store.GetReceiptsAsync(_id))
        {
            _receipts[receipt.UserId] = (receipt.DeliveredSeq, receipt.ReadSeq);
        }
    }

    private (long DeliveredSeq, long ReadSeq) ReceiptOf(string userId) => _receipts.GetValueOrDefault(userId);

    private async Task SaveReceiptAsync(string userId, long deliveredSeq, long readSeq)
    {
        try
        {
            await store.SaveReceiptAsync(_id, userId, deliveredSeq, readSeq);
        }
        catch (Exception ex)
        {
            LogReceiptFailed(logger, ex, _id);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The receipt was not stored; retry.");
        }

        // Other calls may have moved it meanwhile (this runs interleaved): keep the highest of each.
        var current = ReceiptOf(userId);
        _receipts[userId] = (Math.Max(current.DeliveredSeq, deliveredSeq), Math.Max(current.ReadSeq, readSeq));
    }
}
