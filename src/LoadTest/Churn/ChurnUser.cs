using System.Diagnostics;
using ImOrleans.Client;
using ImOrleans.LoadTest.Metrics;
using ImOrleans.LoadTest.Wire;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.LoadTest.Churn;

/// <summary>
/// One user on the real client SDK, as an app would use it: it sends through <see cref="ImClient.SendAsync"/>,
/// counts what <see cref="ImClient.MessageReceived"/> reports (duplicates are messages reported twice), and,
/// after a cut, measures how long until the client is connected again (reconnect) and until it holds every
/// message the server had acknowledged in its conversations by the moment it was back (resync: the sync after
/// login has pulled what was missed while the link was down).
/// </summary>
internal sealed class ChurnUser : IAsyncDisposable
{
    private readonly object _sync = new();
    private readonly Dictionary<string, long> _lastSeq = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _receivedFromPeer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _ackedSends = new(StringComparer.Ordinal);
    private readonly List<string> _skips = [];
    private readonly LatencyRecorder _latency;
    private readonly Func<string, long> _maxAcked;
    private Dictionary<string, long>? _resyncTargets;
    private long _cutAt;
    private bool _reconnected;
    private TaskCompletionSource<(double ReconnectMs, double ResyncMs)>? _resynced;

    public ChurnUser(int index, string userId, ImClientOptions options, LinkCutter? cutter, LatencyRecorder latency, Func<string, long> maxAcked)
    {
        _maxAcked = maxAcked;
        Index = index;
        UserId = userId;
        Cutter = cutter;
        _latency = latency;
        Client = new ImClient(options);
        Client.MessageReceived += (_, message) => OnMessage(message);
        Client.StateChanged += (_, change) => OnStateChanged(change.Current);
    }

    public int Index { get; }

    public string UserId { get; }

    public ImClient Client { get; }

    public LinkCutter? Cutter { get; }

    /// <summary>Time since the last cut, or null if the link was never cut.</summary>
    public TimeSpan? LastCutAgo
    {
        get
        {
            lock (_sync)
            {
                return _cutAt == 0 ? null : Stopwatch.GetElapsedTime(_cutAt);
            }
        }
    }

    /// <summary>(conversation, peer index) of every conversation this user is in; the first <see cref="SendTargets"/> get its sends.</summary>
    public List<(string ConversationId, int Peer)> Conversations { get; } = [];

    public List<string> SendTargets { get; } = [];

    public long Sent;
    public long Acked;
    public long SendErrors;
    public long Delivered;
    public long Duplicates;

    public void RecordAck(string conversationId)
    {
        Interlocked.Increment(ref Acked);
        lock (_sync)
        {
            _ackedSends[conversationId] = _ackedSends.GetValueOrDefault(conversationId) + 1;
        }
    }

    public long AckedSendsIn(string conversationId)
    {
        lock (_sync)
        {
            return _ackedSends.GetValueOrDefault(conversationId);
        }
    }

    public long ReceivedFromPeerIn(string conversationId)
    {
        lock (_sync)
        {
            return _receivedFromPeer.GetValueOrDefault(conversationId);
        }
    }

    /// <summary>Where the client reported a message whose predecessors it never reported.</summary>
    public IReadOnlyList<string> Skips
    {
        get
        {
            lock (_sync)
            {
                return [.. _skips];
            }
        }
    }

    public long LastSeqIn(string conversationId)
    {
        lock (_sync)
        {
            return _lastSeq.GetValueOrDefault(conversationId);
        }
    }

    /// <summary>
    /// Cuts the link and returns the times (from the cut) until the client was connected again and until it had caught
    /// up with the highest acked seq of each of its conversations as of its reconnection; null after <paramref name="deadline"/>.
    /// </summary>
    public async Task<(double ReconnectMs, double ResyncMs)?> CutAndAwaitResyncAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        var resynced = new TaskCompletionSource<(double, double)>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_sync)
        {
            _resyncTargets = null;
            _cutAt = Stopwatch.GetTimestamp();
            _reconnected = false;
            _resynced = resynced;
        }

        Cutter!.CutAll();
        try
        {
            return await resynced.Task.WaitAsync(deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            lock (_sync)
            {
                _resynced = null;
            }

            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().ConfigureAwait(false);
        if (Cutter is not null)
        {
            await Cutter.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void OnMessage(ChatMessage message)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_sync)
        {
            if (message.Seq <= _lastSeq.GetValueOrDefault(message.ConversationId))
            {
                Duplicates++;
                return;
            }

            var previous = _lastSeq.GetValueOrDefault(message.ConversationId);
            if (message.Seq > previous + 1 && _skips.Count < 10)
            {
                // The SDK promises every message once and in seq order; the run's conversations start at seq 1.
                _skips.Add($"{message.ConversationId} seq {message.Seq} came after {previous}");
            }

            _lastSeq[message.ConversationId] = message.Seq;
            if (message.SenderId != UserId)
            {
                Delivered++;
                _receivedFromPeer[message.ConversationId] = _receivedFromPeer.GetValueOrDefault(message.ConversationId) + 1;
                if (MessageStamp.TryParse(message.Content, out var stamp))
                {
                    _latency.Record(MessageStamp.MicrosecondsBetween(stamp, now));
                }
            }

            CheckResync(now);
        }
    }

    private void OnStateChanged(ImClientState state)
    {
        if (state != ImClientState.Connected)
        {
            return;
        }

        lock (_sync)
        {
            if (_resynced is not null && !_reconnected)
            {
                _reconnected = true;
                _reconnectMs = Stopwatch.GetElapsedTime(_cutAt).TotalMilliseconds;
                _resyncTargets = Conversations.ToDictionary(c => c.ConversationId, c => _maxAcked(c.ConversationId), StringComparer.Ordinal);
            }

            CheckResync(Stopwatch.GetTimestamp());
        }
    }

    private double _reconnectMs;

    private void CheckResync(long now)
    {
        if (_resynced is null || !_reconnected || _resyncTargets is null)
        {
            return;
        }

        foreach (var (conversation, target) in _resyncTargets)
        {
            if (_lastSeq.GetValueOrDefault(conversation) < target)
            {
                return;
            }
        }

        _resynced.TrySetResult((_reconnectMs, Stopwatch.GetElapsedTime(_cutAt, now).TotalMilliseconds));
        _resynced = null;
    }
}
