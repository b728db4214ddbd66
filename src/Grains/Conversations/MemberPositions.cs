using ImOrleans.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace ImOrleans.Grains;

/// <summary>
/// Delivered positions (R17) that clients acked and the grain already holds and tells, but has not stored yet. They
/// are written together at most <see cref="FlushDelay"/> after the first of them, and when the grain deactivates,
/// instead of one row per ack before answering it: in a group with a thousand members online every message brings
/// a thousand acks. A delivered ack changes nothing a client was told is stored, and clients ack their positions
/// again after every (re)connect, so a crash costs at most five seconds of "delivered" ticks, which come back by
/// themselves. Read positions are not buffered: they are stored before the mark-read is answered. Owned by one
/// grain activation and used only from its turns.
/// </summary>
internal sealed partial class DeliveredReceipts(IGrainBase owner, string conversationId, IMessageStore store, ILogger logger)
{
    /// <summary>
    /// Five seconds, not one: with a 1 s delay a chat at 8,000 messages a second over 4,000 conversations stored about
    /// one position for every two messages, a third of the writer's rows.
    /// </summary>
    public static readonly TimeSpan FlushDelay = TimeSpan.FromSeconds(5);

    // Both batches are made with the grain, with room for a 1:1 conversation's two members, while it is young itself:
    // made later (the spare at the first flush, a dictionary's arrays at its first entry), they were young objects
    // referenced from this old one, which each collection had to find (docs/benchmarks.md, session 22).
    private Dictionary<string, long> _pending = new(2, StringComparer.Ordinal);

    /// <summary>The last flushed batch, emptied, for the next one to fill.</summary>
    private Dictionary<string, long>? _spare = new(2, StringComparer.Ordinal);

    /// <summary>
    /// Registered at the first ack and re-armed after each flush rather than made anew: a timer and a dictionary per
    /// conversation every five seconds, each young when the collector runs and referenced from this old object, made
    /// each collection longer (docs/benchmarks.md, session 13, item 7).
    /// </summary>
    private IGrainTimer? _flush;

    /// <summary>Buffers <paramref name="userId"/>'s delivered position and makes sure a flush is coming.</summary>
    public void Add(string userId, long deliveredSeq)
    {
        if (deliveredSeq <= _pending.GetValueOrDefault(userId))
        {
            return;
        }

        var firstSinceFlush = _pending.Count == 0;
        _pending[userId] = deliveredSeq;
        if (!firstSinceFlush)
        {
            return; // The flush is already coming.
        }

        if (_flush is null)
        {
            _flush = owner.RegisterGrainTimer(
                _ => FlushAsync(),
                new GrainTimerCreationOptions { DueTime = FlushDelay, Period = Timeout.InfiniteTimeSpan, Interleave = true });
        }
        else
        {
            _flush.Change(FlushDelay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Stores everything buffered; what fails stays buffered for the next flush.</summary>
    public async Task FlushAsync()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var batch = _pending;
        _pending = _spare ?? new Dictionary<string, long>(StringComparer.Ordinal);
        _spare = null;
        try
        {
            // Read seq 0: the store keeps the higher of old and new for each position, so this never moves a read back.
            await Task.WhenAll(batch.Select(p => store.SaveReceiptAsync(conversationId, p.Key, p.Value, 0)));
        }
        catch (Exception ex)
        {
            LogFlushFailed(logger, ex, conversationId, batch.Count);
            foreach (var (userId, seq) in batch)
            {
                Add(userId, seq);
            }
        }

        batch.Clear();
        _spare = batch;
    }

    [LoggerMessage(310, LogLevel.Warning, "Storing {Count} delivered positions of conversation {ConversationId} failed; retrying at the next flush")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, string conversationId, int count);
}
