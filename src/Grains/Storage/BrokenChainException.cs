namespace ImOrleans.Grains.Storage;

/// <summary>
/// An append was not written because an earlier append of its chain failed: storing it would leave a gap in the
/// conversation's seqs. The owner starts a new chain and the sender resends.
/// </summary>
internal sealed class BrokenChainException(string conversationId, long seq)
    : InvalidOperationException($"Seq {seq} of conversation '{conversationId}' was not stored: an earlier append of its chain failed.");
