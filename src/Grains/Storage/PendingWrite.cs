namespace ImOrleans.Grains.Storage;

/// <summary>
/// One queued write and its waiter. Continuations run asynchronously so that completing a batch
/// never runs a grain's continuation on the writer loop.
/// </summary>
internal sealed class PendingWrite : TaskCompletionSource
{
    private PendingWrite() : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
    }

    /// <summary>When the write was queued (<see cref="System.Diagnostics.Stopwatch"/> ticks), for the write-duration metric.</summary>
    public long QueuedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>The message to append (for an append or a revoke); null otherwise.</summary>
    public StoredMessage? Message { get; private init; }

    public Receipt? Receipt { get; private init; }

    /// <summary>For a revoke: the seq whose message is marked revoked in the same transaction as <see cref="Message"/>.</summary>
    public long RevokedSeq { get; private init; }

    /// <summary>For a hide: whose view, and which seqs of <see cref="HiddenConversationId"/>.</summary>
    public string? HiddenBy { get; private init; }

    public string HiddenConversationId { get; private init; } = "";

    public IReadOnlyList<long> HiddenSeqs { get; private init; } = [];

    /// <summary>For an append or a revoke: the append chain of <see cref="Message"/> (see <see cref="IMessageStore.AppendAsync"/>), 0 for none.</summary>
    public long Chain { get; private init; }

    public static PendingWrite ForAppend(StoredMessage message, long chain) => new() { Message = message, Chain = chain };

    /// <summary>Writes nothing of its own; completes when a commit (with its fsync) has followed it.</summary>
    public static PendingWrite ForBarrier() => new() { IsBarrier = true };

    public bool IsBarrier { get; private init; }

    public static PendingWrite ForReceipt(Receipt receipt) => new() { Receipt = receipt };

    public static PendingWrite ForRevoke(long revokedSeq, StoredMessage revokeMessage, long chain) =>
        new() { Message = revokeMessage, RevokedSeq = revokedSeq, Chain = chain };

    public static PendingWrite ForHide(string userId, string conversationId, IReadOnlyList<long> seqs) =>
        new() { HiddenBy = userId, HiddenConversationId = conversationId, HiddenSeqs = seqs };
}
