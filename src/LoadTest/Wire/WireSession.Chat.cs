namespace ImOrleans.LoadTest.Wire;

/// <summary>The chat side of a session: its conversations, its counters, and the open-loop backlog.</summary>
internal sealed partial class WireSession
{
    private readonly ChatTraffic? _traffic;
    private readonly Dictionary<string, ConversationLedger> _ledgers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConversationLedger>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<uint, ConversationLedger> _pending = [];
    private readonly List<ConversationLedger> _ackQueue = [];
    private readonly List<ConversationLedger> _deferredAcks = [];
    private readonly List<ConversationLedger> _contacts = [];
    private long[] _backlog = new long[16];
    private int _backlogHead;
    private int _backlogCount;
    private byte[] _messageIdPrefix = [];
    private long _messageNumber;

    // Contacts (in order) that have had their opening message; written under _sync.
    private int _opened;

    // Written under _sync, read without it by the progress display (whole longs; a stale value is fine there).
    private long _sent;
    private long _acked;
    private long _sendErrors;
    private long _delivered;
    private long _echoes;
    private long _duplicates;
    private long _receipts;
    private long _acksSent;
    private long _backlogDropped;
    private int _inFlight;

    public long Sent => Volatile.Read(ref _sent);

    public long Acked => Volatile.Read(ref _acked);

    public long SendErrors => Volatile.Read(ref _sendErrors);

    /// <summary>Distinct messages of other users pushed to this session (its own echoes are not counted).</summary>
    public long Delivered => Volatile.Read(ref _delivered);

    public long Echoes => Volatile.Read(ref _echoes);

    public long Duplicates => Volatile.Read(ref _duplicates);

    public long Receipts => Volatile.Read(ref _receipts);

    public long DeliveryAcksSent => Volatile.Read(ref _acksSent);

    public long BacklogDropped => Volatile.Read(ref _backlogDropped);

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Every contact has had its opening message written (see <see cref="ChatTraffic.Opening"/>).</summary>
    public bool OpenedAllContacts => Volatile.Read(ref _opened) >= _contacts.Count;

    public IReadOnlyCollection<ConversationLedger> Ledgers => _ledgers.Values;

    /// <summary>Adds a conversation; with <paramref name="sendsHere"/> the session also picks it as a target for its sends.</summary>
    public ConversationLedger AddConversation(string conversationId, int peerIndex, bool sendsHere)
    {
        if (!_ledgers.TryGetValue(conversationId, out var ledger))
        {
            ledger = new ConversationLedger(conversationId, peerIndex);
            _ledgers.Add(conversationId, ledger);
        }

        if (sendsHere && !_contacts.Contains(ledger))
        {
            _contacts.Add(ledger);
        }

        return ledger;
    }

    public bool TryGetConversation(string conversationId, out ConversationLedger ledger) =>
        _ledgers.TryGetValue(conversationId, out ledger!);

    /// <summary>Sets the prefix of the client message ids (unique per run and user); the rest is a counter.</summary>
    public void SetMessageIdPrefix(string prefix) => _messageIdPrefix = System.Text.Encoding.ASCII.GetBytes(prefix);

    /// <summary>Open loop: queues one send stamped with its intended time; false (and counted) when the backlog is full.</summary>
    public bool Schedule(long stamp)
    {
        lock (_sync)
        {
            if (_backlogCount >= (_traffic?.MaxBacklog ?? 0))
            {
                _backlogDropped++;
                return false;
            }

            if (_backlogCount == _backlog.Length)
            {
                var grown = new long[_backlog.Length * 2];
                for (var i = 0; i < _backlogCount; i++)
                {
                    grown[i] = _backlog[(_backlogHead + i) % _backlog.Length];
                }

                _backlog = grown;
                _backlogHead = 0;
            }

            _backlog[(_backlogHead + _backlogCount) % _backlog.Length] = stamp;
            _backlogCount++;
        }

        _wake.Set();
        return true;
    }

    /// <summary>Queues the deferred acks whose delay has passed; called by the scenario's ticker.</summary>
    public void FlushDeferredAcks(long nowMs)
    {
        if (_traffic is not { AckDelayMs: > 0 } traffic)
        {
            return;
        }

        var wake = false;
        lock (_sync)
        {
            for (var i = _deferredAcks.Count - 1; i >= 0; i--)
            {
                var ledger = _deferredAcks[i];
                if (nowMs - ledger.LastAckMs < traffic.AckDelayMs)
                {
                    continue;
                }

                ledger.AckDeferred = false;
                _deferredAcks.RemoveAt(i);
                wake |= QueueAckIfDue(ledger);
            }
        }

        if (wake)
        {
            _wake.Set();
        }
    }

    private bool TryDequeueScheduled(out long stamp)
    {
        if (_backlogCount == 0)
        {
            stamp = 0;
            return false;
        }

        stamp = _backlog[_backlogHead];
        _backlogHead = (_backlogHead + 1) % _backlog.Length;
        _backlogCount--;
        return true;
    }
}
