using ImOrleans.LoadTest.Wire;

namespace ImOrleans.LoadTest.Tests;

/// <summary>The per-conversation bookkeeping that decides duplicates and the cumulative ack position.</summary>
public sealed class ConversationLedgerTests
{
    [Fact]
    public void In_order_seqs_advance_the_contiguous_position_and_repeats_are_duplicates()
    {
        var ledger = new ConversationLedger("s:a:b", 1);

        Assert.True(ledger.Offer(1));
        Assert.True(ledger.Offer(2));
        Assert.False(ledger.Offer(2));
        Assert.False(ledger.Offer(1));
        Assert.Equal(2, ledger.Contiguous);
    }

    [Fact]
    public void Out_of_order_seqs_wait_above_the_gap_until_it_fills()
    {
        var ledger = new ConversationLedger("s:a:b", 1);

        Assert.True(ledger.Offer(3));
        Assert.True(ledger.Offer(2));
        Assert.False(ledger.Offer(3));
        Assert.Equal(0, ledger.Contiguous);
        Assert.True(ledger.Offer(1));
        Assert.Equal(3, ledger.Contiguous);
    }

    [Fact]
    public void Seqs_far_above_the_gap_are_kept_and_joined_when_it_closes()
    {
        var ledger = new ConversationLedger("s:a:b", 1);
        Assert.True(ledger.Offer(100));
        Assert.False(ledger.Offer(100));
        for (var seq = 2; seq < 100; seq++)
        {
            Assert.True(ledger.Offer(seq));
        }

        Assert.Equal(0, ledger.Contiguous);
        Assert.True(ledger.Offer(1));

        Assert.Equal(100, ledger.Contiguous);
        Assert.False(ledger.Offer(100));
        Assert.True(ledger.Offer(101));
    }
}
