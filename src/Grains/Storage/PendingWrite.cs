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

    /// <summary>The message to append; null for a receipt.</summary>
    public StoredMessage? Message { get; private init; }

    public Receipt? Receipt { get; private init; }

    public static PendingWrite ForAppend(StoredMessage message) => new() { Message = message };

    public static PendingWrite ForReceipt(Receipt receipt) => new() { Receipt = receipt };
}
