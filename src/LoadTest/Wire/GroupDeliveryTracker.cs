using HdrHistogram;

namespace ImOrleans.LoadTest.Wire;

/// <summary>
/// Per message of a group run, indexed by seq: when it was sent (from its stamp), how many online receivers got it
/// and when the last one did. A message is complete when every online member but its sender has it; its
/// time-to-last-delivery goes into <see cref="LastDelivery"/>. Arrays sized up front, updated with interlocked
/// operations from every read loop: nothing is allocated per delivery.
/// </summary>
internal sealed class GroupDeliveryTracker(long firstSeq, int capacity, int receiversPerMessage)
{
    private readonly int[] _deliveries = new int[capacity];
    private readonly long[] _lastDelivery = new long[capacity];
    private readonly long[] _stamp = new long[capacity];
    private readonly bool[] _acked = new bool[capacity];
    private long _untracked;

    public long FirstSeq { get; } = firstSeq;

    public int ReceiversPerMessage { get; } = receiversPerMessage;

    /// <summary>Time from send to the last online receiver, in microseconds, of every complete message.</summary>
    public LongHistogram LastDelivery { get; } = new(600_000_000, 3);

    public long Untracked => Interlocked.Read(ref _untracked);

    /// <summary>Counted only after the warm-up: completes before it are not recorded.</summary>
    public volatile bool Recording;

    public void OnAcked(long seq)
    {
        if (TryIndex(seq, out var i))
        {
            Volatile.Write(ref _acked[i], true);
        }
    }

    public void OnDelivered(long seq, long stamp, long now)
    {
        if (!TryIndex(seq, out var i))
        {
            Interlocked.Increment(ref _untracked);
            return;
        }

        Volatile.Write(ref _stamp[i], stamp);
        long last;
        do
        {
            last = Volatile.Read(ref _lastDelivery[i]);
        }
        while (now > last && Interlocked.CompareExchange(ref _lastDelivery[i], now, last) != last);

        if (Interlocked.Increment(ref _deliveries[i]) == ReceiversPerMessage && Recording)
        {
            var micros = Wire.MessageStamp.MicrosecondsBetween(stamp, Math.Max(now, Volatile.Read(ref _lastDelivery[i])));
            lock (LastDelivery)
            {
                LastDelivery.RecordValue(Math.Min(micros, LastDelivery.HighestTrackableValue));
            }
        }
    }

    /// <summary>Acked messages not yet delivered to every online receiver, and the deliveries they miss.</summary>
    public (long Messages, long Deliveries) Incomplete()
    {
        long messages = 0, deliveries = 0;
        for (var i = 0; i < capacity; i++)
        {
            if (Volatile.Read(ref _acked[i]))
            {
                var missing = ReceiversPerMessage - Volatile.Read(ref _deliveries[i]);
                if (missing > 0)
                {
                    messages++;
                    deliveries += missing;
                }
            }
        }

        return (messages, deliveries);
    }

    private bool TryIndex(long seq, out int index)
    {
        var offset = seq - FirstSeq;
        index = (int)offset;
        return offset >= 0 && offset < capacity;
    }
}
