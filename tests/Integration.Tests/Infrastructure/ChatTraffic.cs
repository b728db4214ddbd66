using System.Collections.Concurrent;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Integration.Tests;

/// <summary>
/// Pairs of users sending each other text messages through the SDK until stopped, recording every send and its ack,
/// then checking the whole record against what the receivers got and what the store holds: nothing acked is lost,
/// nothing is stored or raised twice.
/// </summary>
internal sealed class ChatTraffic(IReadOnlyList<(ClusterUser A, ClusterUser B)> pairs, TimeSpan interval)
{
    private readonly ConcurrentDictionary<string, Send> _sends = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _senders = [];
    private int _sent;

    /// <summary>What the verification noticed without failing (messages found only by sync), for the test output.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Calls of SendAsync so far.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Sends the server has acknowledged so far.</summary>
    public int Acked => _sends.Values.Count(s => s.Seq > 0);

    public void Start()
    {
        foreach (var (a, b) in pairs)
        {
            _senders.Add(SendLoopAsync(a, b));
            _senders.Add(SendLoopAsync(b, a));
        }
    }

    /// <summary>Stops sending and waits until every send made so far is acknowledged (the SDK resends through failures).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_senders).WithDeadline(Deadlines.Long);
    }

    /// <summary>
    /// Waits until every receiver has raised every message sent to it (pushed, or found by the SDK's gap fill), then
    /// checks each conversation's stored history. Returns the counts for the test's output.
    /// </summary>
    public async Task<Report> VerifyAsync(TimeSpan deliveryWait)
    {
        var delivered = 0;
        var synced = 0;
        foreach (var (a, b) in pairs)
        {
            var conversation = Identifiers.SingleConversation(a.UserId, b.UserId);
            var acked = _sends.Values.Where(s => s.ConversationId == conversation).ToList();

            // Stored exactly once each, seqs contiguous from 1, every ack's seq holding that very message.
            var history = await a.PullAllAsync(conversation);
            Assert.Equal(Enumerable.Range(1, history.Count).Select(i => (long)i), history.Select(m => m.Seq));
            Assert.Equal(history.Count, history.Select(m => m.ClientMsgId).Distinct().Count());
            Assert.Equal(acked.Count, history.Count);
            var stored = history.ToDictionary(m => m.ClientMsgId);
            Assert.All(acked, s => Assert.Equal(s.Seq, stored[s.ClientMsgId].Seq));

            foreach (var (receiver, sender) in new[] { (b, a), (a, b) })
            {
                var expected = acked.Where(s => s.SenderId == sender.UserId).Select(s => s.ClientMsgId).ToHashSet();
                try
                {
                    await receiver.WaitUntilAsync(
                        r => expected.IsSubsetOf(r.MessagesIn(conversation).Select(m => m.ClientMsgId)),
                        $"all {expected.Count} messages from {sender.UserId} arrived",
                        deliveryWait);
                }
                catch (Xunit.Sdk.FailException)
                {
                    // Not pushed: what a client finds by syncing from the store (the same history as above) counts as synced.
                }

                var raised = receiver.MessagesIn(conversation).Where(m => m.SenderId == sender.UserId).ToList();
                var missing = history.Where(m => m.SenderId == sender.UserId && raised.All(r => r.Seq != m.Seq)).Select(m => m.Seq).ToList();
                if (missing.Count > 0)
                {
                    var lastRaised = receiver.MessagesIn(conversation).Select(m => m.Seq).DefaultIfEmpty().Max();
                    Notes.Add($"{receiver.UserId}: not raised seqs {string.Join(",", missing)} of {history.Count}; raised up to seq {lastRaised}");
                }

                Assert.Equal(raised.Count, raised.Select(m => m.Seq).Distinct().Count()); // no duplicate raised
                var got = raised.Select(m => m.ClientMsgId).ToHashSet();
                delivered += expected.Count(got.Contains);
                synced += expected.Count(id => !got.Contains(id) && stored.ContainsKey(id));
                Assert.All(expected, id => Assert.True(got.Contains(id) || stored.ContainsKey(id), $"{id} lost"));
            }
        }

        return new Report(Sent, Acked, delivered, synced);
    }

    private async Task SendLoopAsync(ClusterUser from, ClusterUser to)
    {
        var conversation = Identifiers.SingleConversation(from.UserId, to.UserId);
        for (var n = 1; !_stop.IsCancellationRequested; n++)
        {
            var send = new Send(conversation, from.UserId, $"{from.UserId}-{n}-{Guid.NewGuid():N}");
            _sends[send.ClientMsgId] = send;
            Interlocked.Increment(ref _sent);

            // No cancellation: once sent, the SDK resends until acknowledged; the deadline bounds a failover.
            var ack = await from.Client.SendAsync(conversation, MessageType.Text, $"{from.UserId} #{n}", clientMsgId: send.ClientMsgId)
                .WithDeadline(Deadlines.Long);
            send.Seq = ack.Seq;
            try
            {
                await Task.Delay(interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private sealed class Send(string conversationId, string senderId, string clientMsgId)
    {
        public string ConversationId { get; } = conversationId;

        public string SenderId { get; } = senderId;

        public string ClientMsgId { get; } = clientMsgId;

        public long Seq { get; set; }
    }

    public sealed record Report(int Sent, int Acked, int Delivered, int Synced)
    {
        public override string ToString() => $"sent {Sent}, acked {Acked}, delivered {Delivered}, synced {Synced}";
    }
}
