using ImOrleans.Grains.Storage;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// Delivered and read receipts (R17): the highest seq each member has received and read, stored
// (never moved back) and then told to the other members.
internal sealed partial class ConversationGrain
{
    private readonly Dictionary<string, Receipt> _receipts = new(StringComparer.Ordinal);

    public async Task AckDelivered(string userId, long seq)
    {
        RequireMember(userId);
        var current = ReceiptOf(userId);
        var delivered = Math.Min(seq, _maxSeq);
        if (delivered > current.DeliveredSeq)
        {
            await SaveReceiptAsync(current with { DeliveredSeq = delivered });
        }
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
        var read = Math.Min(readSeq, _maxSeq);
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

    private async Task LoadReceiptsAsync()
    {
        foreach (var receipt in await store.GetReceiptsAsync(_id))
        {
            _receipts[receipt.UserId] = receipt;
        }
    }

    private Receipt ReceiptOf(string userId) =>
        _receipts.GetValueOrDefault(userId) ?? new Receipt { ConversationId = _id, UserId = userId };

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

        _receipts[receipt.UserId] = receipt;
        foreach (var member in _members)
        {
            if (member != receipt.UserId)
            {
                await User(member).OnReceipt(receipt);
            }
        }
    }
}
