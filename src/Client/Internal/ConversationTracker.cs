using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client.Internal;

/// <summary>
/// What one client instance has of one conversation, by seq (R15). Seqs are contiguous per conversation, so
/// <see cref="Contiguous"/> (everything at or below it was delivered or is not visible to this user) plus the
/// messages that arrived early is enough to drop duplicates and to find the range still missing.
/// Not thread-safe: owned by the inbox loop.
/// </summary>
internal sealed class ConversationTracker(string conversationId)
{
    private readonly SortedDictionary<long, ChatMessage> _early = [];

    public string ConversationId { get; } = conversationId;

    /// <summary>
    /// False until the client decided where its knowledge of the conversation starts (from the conversation list,
    /// or from a push when the conversation was not listed); messages that arrive before that are held.
    /// </summary>
    public bool HasBaseline { get; private set; }

    /// <summary>The highest seq at and below which nothing is missing.</summary>
    public long Contiguous { get; private set; }

    /// <summary>The highest seq known to exist (pushed, listed or pulled).</summary>
    public long KnownMax { get; private set; }

    /// <summary>Messages held above a gap (or before the baseline).</summary>
    public int HeldCount => _early.Count;

    public bool FillInFlight { get; set; }

    /// <summary>The seq of the last delivery ack the server took (or the baseline: what came before was never delivered here).</summary>
    public long AckedSeq { get; set; }

    public bool AckInFlight { get; set; }

    /// <summary>A group's: when its last ack went out (<see cref="TimeProvider.GetTimestamp"/>), 0 for never.</summary>
    public long LastAckAt { get; set; }

    /// <summary>A group's: an ack waits for the ack interval to pass (<see cref="AckSpacingElapsed"/> is coming).</summary>
    public bool AckSpacingArmed { get; set; }

    public void ObserveMax(long seq) => KnownMax = Math.Max(KnownMax, seq);

    /// <summary>Fixes where the conversation starts for this client; held messages above it become deliverable.</summary>
    public void SetBaseline(long seq, List<ChatMessage> deliverable)
    {
        if (HasBaseline)
        {
            return;
        }

        HasBaseline = true;
        Contiguous = Math.Max(0, seq);
        AckedSeq = Contiguous;
        KnownMax = Math.Max(KnownMax, Contiguous);
        while (_early.Count > 0 && _early.First().Key <= Contiguous)
        {
            _early.Remove(_early.First().Key);
        }

        Drain(deliverable);
    }

    /// <summary>Takes a message; appends to <paramref name="deliverable"/> whatever is now in order. False for a duplicate.</summary>
    public bool Offer(ChatMessage message, List<ChatMessage> deliverable)
    {
        if (!Hold(message))
        {
            return false;
        }

        if (HasBaseline)
        {
            Drain(deliverable);
        }

        return true;
    }

    /// <summary>
    /// Takes the answer to a pull of [<paramref name="from"/>, <paramref name="to"/>]. The answer is the whole range
    /// (pulls never ask for more than a page), so a seq in it that the server did not return is one this user may not
    /// see (before it joined, or deleted): it is stepped over rather than asked for again.
    /// </summary>
    public void ApplyRange(long from, long to, IEnumerable<ChatMessage> messages, List<ChatMessage> deliverable)
    {
        foreach (var message in messages)
        {
            Hold(message);
        }

        KnownMax = Math.Max(KnownMax, to);
        if (HasBaseline && from <= Contiguous + 1)
        {
            while (Contiguous < to)
            {
                var next = Contiguous + 1;
                if (_early.Remove(next, out var message))
                {
                    deliverable.Add(message);
                }

                Contiguous = next;
            }
        }

        if (HasBaseline)
        {
            Drain(deliverable);
        }
    }

    /// <summary>Whether the message at <paramref name="seq"/> has been handed to the app already (or was never visible).</summary>
    public bool IsDelivered(long seq) => HasBaseline && seq <= Contiguous;

    /// <summary>A held message changed (revoked, deleted) before it could be delivered: deliver the new version instead.</summary>
    public void ReplaceHeld(ChatMessage message)
    {
        if (_early.ContainsKey(message.Seq))
        {
            _early[message.Seq] = message;
        }
    }

    /// <summary>The next range to pull, at most <paramref name="pageSize"/> long, or null when nothing is missing or a pull is under way.</summary>
    public (long From, long To)? NextFill(int pageSize)
    {
        if (!HasBaseline || FillInFlight || Contiguous >= KnownMax)
        {
            return null;
        }

        var from = Contiguous + 1;
        var to = Math.Min(KnownMax, from + pageSize - 1);
        if (_early.Count > 0)
        {
            // Stop below the first held message: it is already here.
            to = Math.Min(to, _early.First().Key - 1);
        }

        return (from, to);
    }

    private bool Hold(ChatMessage message)
    {
        if (message.Seq <= 0)
        {
            return false;
        }

        KnownMax = Math.Max(KnownMax, message.Seq);
        return (!HasBaseline || message.Seq > Contiguous) && _early.TryAdd(message.Seq, message);
    }

    private void Drain(List<ChatMessage> deliverable)
    {
        while (_early.Remove(Contiguous + 1, out var message))
        {
            deliverable.Add(message);
            Contiguous++;
        }
    }
}
