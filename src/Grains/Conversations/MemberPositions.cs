using ImOrleans.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace ImOrleans.Grains;

/// <summary>
/// Positions a conversation or group grain already holds for its members and hands on later, together: at most
/// <see cref="FlushDelay"/> (delivered) or <see cref="OwnSendsDelay"/> (own sends) after the first of them, and when
/// the grain deactivates. Owned by one grain activation and used only from its turns.
/// <list type="bullet">
/// <item>Delivered positions (R17) that clients acked and the grain already tells, to store: storing one row per ack
/// before answering it would cost, in a group with a thousand members online, a thousand rows per message. A delivered
/// ack changes nothing a client was told is stored, and clients ack their positions again after every (re)connect, so
/// a crash costs at most five seconds of "delivered" ticks, which come back by themselves. Read positions are not
/// held here: they are stored before the mark-read is answered.</item>
/// <item>The read position a member's own messages imply (your own message is read), to tell their user grain: a 1:1
/// conversation pushes a sender's message to their other devices through their edges, so the user grain does not
/// hear of each one. Until it is told, it counts an own message as read when that is the conversation's newest, and
/// asks a conversation with a newer message from someone else (UserGrain.ReadNewestAsync).</item>
/// </list>
/// </summary>
internal sealed partial class MemberPositions(
    IGrainBase owner, string conversationId, IMessageStore store, TimeProvider time, ILogger logger, Action? tellOwnSends = null)
{
    /// <summary>
    /// Five seconds, not one: with a 1 s delay a chat at 8,000 messages a second over 4,000 conversations stored about
    /// one position for every two messages, a third of the writer's rows.
    /// </summary>
    public static readonly TimeSpan FlushDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Thirty seconds: told with every five-second flush, a chat at 8,000 messages a second over 4,000 conversations
    /// called the user grains 1,600 times a second. Their lists ask the conversation meanwhile (UserGrain.ReadState.cs).
    /// </summary>
    public static readonly TimeSpan OwnSendsDelay = TimeSpan.FromSeconds(30);

    // The batches are made with the grain, with room for a 1:1 conversation's two members, while it is young itself:
    // made later (the spare at the first flush, a dictionary's arrays at its first entry), they were young objects
    // referenced from this old one, which each collection had to find (docs/benchmarks.md, session 22).
    private Dictionary<string, long> _pending = new(2, StringComparer.Ordinal);

    /// <summary>The last flushed batch, emptied, for the next one to fill.</summary>
    private Dictionary<string, long>? _spare = new(2, StringComparer.Ordinal);

    /// <summary>Some member sent since the owner last told (the owner knows who and up to where).</summary>
    private bool _ownSendsPending;

    /// <summary>When the oldest own send not told yet is due to be told.</summary>
    private DateTimeOffset _ownSendsDueAt;

    /// <summary>
    /// Registered at the first position and re-armed rather than made anew: a timer and a dictionary per conversation
    /// every five seconds, each young when the collector runs and referenced from this old object, made each collection
    /// longer (docs/benchmarks.md, session 13, item 7).
    /// </summary>
    private IGrainTimer? _flush;

    /// <summary>When the armed flush runs; <see cref="DateTimeOffset.MaxValue"/> when none is armed.</summary>
    private DateTimeOffset _flushAt = DateTimeOffset.MaxValue;

    /// <summary>Buffers <paramref name="userId"/>'s delivered position and makes sure a flush is coming.</summary>
    public void AddDelivered(string userId, long deliveredSeq)
    {
        if (deliveredSeq <= _pending.GetValueOrDefault(userId))
        {
            return;
        }

        var first = _pending.Count == 0;
        _pending[userId] = deliveredSeq;
        if (first)
        {
            FlushBy(time.GetUtcNow() + FlushDelay);
        }
    }

    /// <summary>Notes that a member sent a message, and makes sure the owner tells within <see cref="OwnSendsDelay"/>.</summary>
    public void NoteOwnSend()
    {
        if (_ownSendsPending || tellOwnSends is null)
        {
            return;
        }

        _ownSendsPending = true;
        _ownSendsDueAt = time.GetUtcNow() + OwnSendsDelay;
        FlushBy(_ownSendsDueAt);
    }

    /// <summary>
    /// Hands on everything held, as the grain deactivates: tells the user grains their own sends (unless <paramref
    /// name="tell"/> is false: the silo stops, and an own message then counts as read while it is the newest,
    /// or from the user's next mark-read) and stores the delivered positions.
    /// </summary>
    public Task FlushAllAsync(bool tell = true) => FlushAsync(all: true, tell);

    /// <summary>
    /// Stores the delivered positions and tells the own sends that are due; what fails to store stays buffered, and
    /// what is not due yet waits for its own flush.
    /// </summary>
    private async Task FlushAsync(bool all, bool tell = true)
    {
        _flushAt = DateTimeOffset.MaxValue;
        if (_ownSendsPending && (all || time.GetUtcNow() >= _ownSendsDueAt))
        {
            _ownSendsPending = false;
            if (tell)
            {
                tellOwnSends!();
            }
        }

        if (_ownSendsPending)
        {
            FlushBy(_ownSendsDueAt);
        }

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
                AddDelivered(userId, seq);
            }
        }

        batch.Clear();
        _spare = batch;
    }

    /// <summary>Makes sure a flush runs by <paramref name="due"/>: arms the timer unless it already fires earlier.</summary>
    private void FlushBy(DateTimeOffset due)
    {
        if (due >= _flushAt)
        {
            return;
        }

        _flushAt = due;
        var dueIn = due - time.GetUtcNow();
        dueIn = dueIn < TimeSpan.Zero ? TimeSpan.Zero : dueIn;
        if (_flush is null)
        {
            _flush = owner.RegisterGrainTimer(
                _ => FlushAsync(all: false),
                new GrainTimerCreationOptions { DueTime = dueIn, Period = Timeout.InfiniteTimeSpan, Interleave = true });
        }
        else
        {
            _flush.Change(dueIn, Timeout.InfiniteTimeSpan);
        }
    }

    [LoggerMessage(310, LogLevel.Warning, "Storing {Count} delivered positions of conversation {ConversationId} failed; retrying at the next flush")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, string conversationId, int count);
}
