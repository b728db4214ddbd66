using System.Text;

namespace ImOrleans.LoadTest.Wire;

/// <summary>
/// What one synthetic user knows of one 1:1 conversation: the highest contiguous seq it holds (for cumulative
/// delivery acks, like a real SDK), the seqs that arrived above a gap, and the counts the loss check compares:
/// messages it sent that the server acked, and distinct messages from the peer it received.
/// Guarded by the owning session's lock.
/// </summary>
internal sealed class ConversationLedger(string conversationId, int peerIndex)
{
    private ulong _early;
    private HashSet<long>? _far;

    public string ConversationId { get; } = conversationId;

    public byte[] ConversationIdUtf8 { get; } = Encoding.UTF8.GetBytes(conversationId);

    /// <summary>Index of the other member in the scenario's session array.</summary>
    public int PeerIndex { get; } = peerIndex;

    /// <summary>Every seq at or below this one has been pushed to this session.</summary>
    public long Contiguous { get; private set; }

    public long AckedSeq { get; set; }

    public bool AckQueued { get; set; }

    /// <summary>Waiting for the ack delay to pass (see <see cref="ChatTraffic.AckDelayMs"/>).</summary>
    public bool AckDeferred { get; set; }

    public long LastAckMs { get; set; }

    /// <summary>This user's sends into the conversation that the server acknowledged (stored).</summary>
    public long SendsAcked { get; set; }

    /// <summary>Distinct messages of the peer pushed to this session.</summary>
    public long ReceivedFromPeer { get; set; }

    public bool NeedsAck => Contiguous > AckedSeq && !AckQueued && !AckDeferred;

    /// <summary>Starts the conversation at <paramref name="seq"/> (a group member sees nothing before it joined).</summary>
    public void SetBaseline(long seq)
    {
        Contiguous = AckedSeq = seq;
        _early = 0;
        _far?.Clear();
    }

    /// <summary>Records a pushed seq; false when this session already had it (a duplicate).</summary>
    public bool Offer(long seq)
    {
        var distance = seq - Contiguous - 1;
        if (distance < 0)
        {
            return false;
        }

        if (distance >= 64)
        {
            return (_far ??= []).Add(seq);
        }

        var bit = 1UL << (int)distance;
        if ((_early & bit) != 0)
        {
            return false;
        }

        _early |= bit;
        while ((_early & 1) != 0)
        {
            _early >>= 1;
            Contiguous++;
            if (_far is { Count: > 0 } far && far.Remove(Contiguous + 64))
            {
                _early |= 1UL << 63;
            }
        }

        return true;
    }
}
