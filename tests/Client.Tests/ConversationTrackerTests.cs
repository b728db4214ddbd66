using ImOrleans.Client.Internal;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client.Tests;

public sealed class ConversationTrackerTests
{
    private const string Conversation = "s:alice:bob";
    private readonly List<ChatMessage> _delivered = [];

    [Fact]
    public void Messages_in_order_are_delivered_at_once_and_repeats_are_dropped()
    {
        var tracker = Started(0);

        Assert.True(tracker.Offer(Message(1), _delivered));
        Assert.True(tracker.Offer(Message(2), _delivered));
        Assert.False(tracker.Offer(Message(2), _delivered));
        Assert.False(tracker.Offer(Message(1), _delivered));

        Assert.Equal([1L, 2L], Seqs());
        Assert.Equal(2, tracker.Contiguous);
        Assert.Null(tracker.NextFill(100));
    }

    [Fact]
    public void A_gap_holds_later_messages_and_asks_for_exactly_the_missing_range()
    {
        var tracker = Started(0);
        tracker.Offer(Message(1), _delivered);

        tracker.Offer(Message(5), _delivered);
        tracker.Offer(Message(4), _delivered);

        Assert.Equal([1L], Seqs());
        Assert.Equal((2L, 3L), tracker.NextFill(100));
        Assert.False(tracker.Offer(Message(5), _delivered));

        tracker.ApplyRange(2, 3, [Message(2), Message(3)], _delivered);

        Assert.Equal([1L, 2L, 3L, 4L, 5L], Seqs());
        Assert.Equal(5, tracker.Contiguous);
        Assert.Equal(0, tracker.HeldCount);
    }

    [Fact]
    public void Seqs_the_server_does_not_return_in_a_pulled_range_are_stepped_over()
    {
        var tracker = Started(0);
        tracker.Offer(Message(4), _delivered);

        // 2 is not visible to this user (deleted, or before it joined): the answer for [1, 3] lacks it.
        tracker.ApplyRange(1, 3, [Message(1), Message(3)], _delivered);

        Assert.Equal([1L, 3L, 4L], Seqs());
        Assert.Equal(4, tracker.Contiguous);
        Assert.False(tracker.Offer(Message(2), _delivered));
    }

    [Fact]
    public void Catching_up_a_long_backlog_is_paged_from_the_oldest_missing_seq()
    {
        var tracker = Started(10);
        tracker.ObserveMax(260);

        Assert.Equal((11L, 110L), tracker.NextFill(100));
        tracker.FillInFlight = true;
        Assert.Null(tracker.NextFill(100));

        tracker.FillInFlight = false;
        tracker.ApplyRange(11, 110, Enumerable.Range(11, 100).Select(s => Message(s)), _delivered);

        Assert.Equal((111L, 210L), tracker.NextFill(100));
        Assert.Equal(Enumerable.Range(11, 100).Select(s => (long)s), Seqs());
    }

    [Fact]
    public void Messages_before_the_baseline_wait_and_those_at_or_below_it_are_dropped()
    {
        var tracker = new ConversationTracker(Conversation);
        tracker.Offer(Message(7), _delivered);
        tracker.Offer(Message(9), _delivered);
        Assert.Empty(_delivered);
        Assert.Null(tracker.NextFill(100));

        tracker.SetBaseline(7, _delivered);

        Assert.Empty(_delivered);
        Assert.Equal((8L, 8L), tracker.NextFill(100));
        Assert.Equal(7, tracker.AckedSeq);
    }

    [Fact]
    public void A_stale_range_answer_changes_nothing()
    {
        var tracker = Started(0);
        tracker.ApplyRange(1, 3, [Message(1), Message(2), Message(3)], _delivered);
        _delivered.Clear();

        tracker.ApplyRange(1, 3, [Message(1), Message(2), Message(3)], _delivered);

        Assert.Empty(_delivered);
        Assert.Equal(3, tracker.Contiguous);
    }

    private ConversationTracker Started(long baseline)
    {
        var tracker = new ConversationTracker(Conversation);
        tracker.SetBaseline(baseline, _delivered);
        return tracker;
    }

    private List<long> Seqs() => _delivered.Select(m => m.Seq).ToList();

    private static ChatMessage Message(long seq) =>
        new() { ConversationId = Conversation, Seq = seq, SenderId = "bob", Content = $"m{seq}" };
}
