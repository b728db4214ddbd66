using System.Diagnostics;
using System.Threading.Channels;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client.Internal;

/// <summary>
/// The single loop between the socket and the app. It owns every conversation's <see cref="ConversationTracker"/>,
/// so dedupe, gap fill (R15), sync (R14) and delivery acks need no locks, and it raises every event, so handlers
/// never run concurrently and see messages of a conversation in seq order. It never waits for the network itself:
/// pulls and acks run as tasks that post their outcome back here.
/// </summary>
internal sealed partial class Inbox
{
    /// <summary>The most messages one pull asks for (the server's limit).</summary>
    internal const int PullPageSize = 100;

    private readonly Channel<InboxItem> _queue;
    private readonly Dictionary<string, ConversationTracker> _conversations = new(StringComparer.Ordinal);
    private readonly Dictionary<(string ConversationId, string UserId), (long Delivered, long Read)> _receipts = [];
    private readonly HashSet<ConversationTracker> _ackDue = [];
    private readonly List<ChatMessage> _deliverable = [];
    private readonly RecentIdSet _updates = new(4096);
    private readonly IInboxHost _host;
    private readonly int _initialSyncLimit;
    private readonly TimeSpan _retryDelay;
    private readonly TimeProvider _time;
    private readonly TimeSpan _groupAckInterval;
    private int _syncsRunning;

    public Inbox(IInboxHost host, ImClientOptions options)
    {
        _host = host;
        _initialSyncLimit = options.InitialSyncLimit;
        _retryDelay = options.ReconnectInitialDelay;
        _time = options.TimeProvider;
        _groupAckInterval = options.GroupAckInterval;
        _queue = Channel.CreateBounded<InboxItem>(new BoundedChannelOptions(options.InboundQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Completion = RunAsync();
    }

    /// <summary>Completes when <see cref="Complete"/> was called and everything queued before it was handled.</summary>
    public Task Completion { get; }

    /// <summary>Queues an item, waiting for room when the app's handlers are behind. Items posted after <see cref="Complete"/> are dropped.</summary>
    public async ValueTask PostAsync(InboxItem item, CancellationToken cancellationToken = default)
    {
        try
        {
            await _queue.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // The client is disposed; nobody listens any more.
        }
    }

    public void Complete() => _queue.Writer.TryComplete();

    private async Task RunAsync()
    {
        await Task.Yield();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                Handle(item);
            }

            // Acks go out after a batch, so a burst of messages costs one ack per conversation (coalescing).
            SendDueAcks();
        }
    }

    private void Handle(InboxItem item)
    {
        switch (item)
        {
            case PushedMessage pushed:
                OnMessage(pushed.Message);
                break;
            case OwnMessageStored own:
                OnOwnMessage(own.Message);
                break;
            case PushedReceipt receipt:
                OnReceipt(receipt.Receipt);
                break;
            case KickReceived kick:
                Raise(() => _host.RaiseKicked(kick.Kick));
                break;
            case StateChange change:
                Raise(() => _host.RaiseStateChanged(change.Change));
                break;
            case SyncStarted:
                _syncsRunning++;
                break;
            case ConversationListed listed:
                OnListed(listed.Conversation);
                break;
            case SyncFinished:
                _syncsRunning = Math.Max(0, _syncsRunning - 1);
                if (_syncsRunning == 0)
                {
                    ResolveUnlisted();
                }

                break;
            case RangePulled range:
                OnRange(range);
                break;
            case RangeFailed failed:
                var tracker = Get(failed.ConversationId);
                tracker.FillInFlight = false;
                if (_host.IsConnected)
                {
                    Fill(tracker);
                }

                // Otherwise the sync after the next login asks again.
                break;
            case AckFinished ack:
                OnAckFinished(ack);
                break;
            case AckSpacingElapsed elapsed:
                var spaced = Get(elapsed.ConversationId);
                spaced.AckSpacingArmed = false;
                _ackDue.Add(spaced);
                break;
        }
    }

    private void OnMessage(ChatMessage message)
    {
        if (string.IsNullOrEmpty(message.ConversationId) || message.Seq <= 0)
        {
            return;
        }

        var tracker = Get(message.ConversationId);
        if (!tracker.Offer(message, _deliverable))
        {
            // A message this client has already: a push of it again means its status changed (revoked, deleted).
            if (message.Status != MessageStatus.Normal)
            {
                if (tracker.IsDelivered(message.Seq))
                {
                    RaiseUpdated(message);
                }
                else
                {
                    tracker.ReplaceHeld(message);
                }
            }

            return;
        }

        if (!tracker.HasBaseline && _syncsRunning == 0)
        {
            // A conversation that is not in the last list (new since): start at the newest page up to this message.
            tracker.SetBaseline(tracker.KnownMax - Math.Max(_initialSyncLimit, 1), _deliverable);
        }

        Deliver(tracker);
        Fill(tracker);
    }

    /// <summary>
    /// This client's acked send takes its seq like a push would. It needs no delivered receipt of its own: when it is
    /// the only message since the last ack, it counts as acked.
    /// </summary>
    private void OnOwnMessage(ChatMessage message)
    {
        OnMessage(message);
        if (_conversations.TryGetValue(message.ConversationId, out var tracker)
            && tracker.HasBaseline && tracker.Contiguous == message.Seq && tracker.AckedSeq == message.Seq - 1)
        {
            tracker.AckedSeq = message.Seq;
        }
    }

    private void OnListed(Conversation conversation)
    {
        var tracker = Get(conversation.ConversationId);
        tracker.ObserveMax(conversation.MaxSeq);
        if (!tracker.HasBaseline)
        {
            // First sight of this conversation in this client instance: fetch the newest page (R14). Not from
            // read_seq: the user's own send from another link moves read_seq past messages this device never
            // got, and skipping them would hide a stored message. InitSeq - 1 covers both readings of init_seq
            // (seq at join, or first visible seq): a seq the user may not see is simply not returned.
            var baseline = Math.Max(conversation.InitSeq - 1, conversation.MaxSeq - _initialSyncLimit);
            tracker.SetBaseline(baseline, _deliverable);
        }

        Deliver(tracker);
        Fill(tracker);

        // An ack lost with the last link goes out again.
        _ackDue.Add(tracker);
    }

    private void ResolveUnlisted()
    {
        foreach (var tracker in _conversations.Values)
        {
            if (!tracker.HasBaseline)
            {
                // Held pushes of a conversation the list did not have: the newest page up to the newest of them.
                tracker.SetBaseline(tracker.KnownMax - Math.Max(_initialSyncLimit, 1), _deliverable);
                Deliver(tracker);
                Fill(tracker);
            }
        }
    }

    private void OnRange(RangePulled range)
    {
        var tracker = Get(range.ConversationId);
        tracker.FillInFlight = false;
        tracker.ApplyRange(range.From, range.To, range.Messages, _deliverable);
        Deliver(tracker);
        Fill(tracker);
    }

    private void OnReceipt(ReceiptPush receipt)
    {
        // Receipts are positions, so a repeated or older one says nothing new (R17).
        var key = (receipt.ConversationId, receipt.UserId);
        var known = _receipts.GetValueOrDefault(key);
        if (receipt.DeliveredSeq <= known.Delivered && receipt.ReadSeq <= known.Read)
        {
            return;
        }

        _receipts[key] = (Math.Max(known.Delivered, receipt.DeliveredSeq), Math.Max(known.Read, receipt.ReadSeq));
        Raise(() => _host.RaiseReceipt(receipt));
    }

    private void Deliver(ConversationTracker tracker)
    {
        foreach (var message in _deliverable)
        {
            if (Protocol.Identifiers.TryParseNotice(message.ConversationId, out _))
            {
                Raise(() => _host.RaiseNotice(message));
            }
            else if (!_host.IsOwnEcho(message))
            {
                Raise(() => _host.RaiseMessage(message));
            }

            if (message.Type == MessageType.Revoke && RevokedSeq(message) is { } target)
            {
                // Devices that were away when the revoke happened learn of it from this message.
                RaiseUpdated(new ChatMessage { ConversationId = message.ConversationId, Seq = target, Status = MessageStatus.Revoked });
            }
        }

        _deliverable.Clear();
        if (tracker.HasBaseline)
        {
            _host.OnContiguous(tracker.ConversationId, tracker.Contiguous);
            if (tracker.Contiguous > tracker.AckedSeq)
            {
                _ackDue.Add(tracker);
            }
        }
    }

    private void Fill(ConversationTracker tracker)
    {
        if (tracker.NextFill(PullPageSize) is not { } range)
        {
            return;
        }

        tracker.FillInFlight = true;
        _ = PullAsync(tracker.ConversationId, range.From, range.To);
    }

    private void RaiseUpdated(ChatMessage message)
    {
        if (_updates.Contains(UpdateKey(message)))
        {
            return;
        }

        _updates.Add(UpdateKey(message));
        Raise(() => _host.RaiseMessageUpdated(message));

        static string UpdateKey(ChatMessage m) => $"{m.ConversationId}\n{m.Seq}\n{(int)m.Status}";
    }

    /// <summary>The seq a REVOKE message revokes (its content is <c>{"seq":N}</c>), or null if it cannot be read.</summary>
    private static long? RevokedSeq(ChatMessage revoke)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(revoke.Content);
            return json.RootElement.TryGetProperty("seq", out var seq) && seq.TryGetInt64(out var value) ? value : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private ConversationTracker Get(string conversationId)
    {
        if (!_conversations.TryGetValue(conversationId, out var tracker))
        {
            tracker = new ConversationTracker(conversationId);
            _conversations.Add(conversationId, tracker);
        }

        return tracker;
    }

    private static void Raise(Action raise)
    {
        try
        {
            raise();
        }
        catch (Exception ex)
        {
            // A throwing handler must not stop delivery to the others or kill the loop.
            Trace.TraceError("ImOrleans.Client: an event handler threw: {0}", ex);
        }
    }
}
