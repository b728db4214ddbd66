namespace ImOrleans.Grains.Storage;

/// <summary>
/// An append found its (conversation, seq) already stored: the appending grain's idea of the
/// conversation's max seq is stale (for example a second activation wrote meanwhile).
/// </summary>
internal sealed class SeqTakenException(string conversationId, long seq)
    : InvalidOperationException($"Seq {seq} of conversation '{conversationId}' is already stored.");
