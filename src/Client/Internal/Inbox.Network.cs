using ImOrleans.Protocol;

namespace ImOrleans.Client.Internal;

/// <summary>
/// The inbox's requests: each pull or ack runs as its own task and posts its outcome back to the loop, so the loop
/// never waits for the network (the socket's read loop may itself be waiting for room in the inbox).
/// </summary>
internal sealed partial class Inbox
{
    private async Task PullAsync(string conversationId, long from, long to)
    {
        InboxItem outcome;
        try
        {
            var page = await _host.PullAsync(conversationId, from, to, (int)(to - from + 1)).ConfigureAwait(false);
            outcome = new RangePulled(conversationId, from, to, page.Messages);
        }
        catch (ImConnectionException)
        {
            outcome = new RangeFailed(conversationId);
        }
        catch (Exception ex) when (ex is TimeoutException or ImServerException { Code: ErrorCode.Unavailable or ErrorCode.Internal })
        {
            // Worth asking again on this link, after a pause so a struggling server is not hammered.
            await Task.Delay(_retryDelay, _time).ConfigureAwait(false);
            outcome = new RangeFailed(conversationId);
        }
        catch (ImServerException)
        {
            // The server refuses this range for good (not a member any more, no such conversation): step over it
            // rather than hold later messages back forever.
            outcome = new RangePulled(conversationId, from, to, []);
        }

        await PostAsync(outcome).ConfigureAwait(false);
    }

    private void SendDueAcks()
    {
        if (_ackDue.Count == 0)
        {
            return;
        }

        var connected = _host.IsConnected;
        foreach (var tracker in _ackDue)
        {
            if (connected && !tracker.AckInFlight && tracker.HasBaseline && tracker.Contiguous > tracker.AckedSeq && !AckWaitsForSpacing(tracker))
            {
                tracker.AckInFlight = true;
                _ = AckAsync(tracker.ConversationId, tracker.Contiguous);
            }
        }

        // A tracker skipped while disconnected is marked due again by the sync after the next login.
        _ackDue.Clear();
    }

    /// <summary>
    /// True when a group's ack must wait for <see cref="ImClientOptions.GroupAckInterval"/> since its last one; the loop
    /// is then told when it has passed. Otherwise notes the ack as sent now.
    /// </summary>
    private bool AckWaitsForSpacing(ConversationTracker tracker)
    {
        if (_groupAckInterval <= TimeSpan.Zero || !Identifiers.TryParseGroup(tracker.ConversationId, out _))
        {
            return false;
        }

        if (tracker.AckSpacingArmed)
        {
            return true;
        }

        var now = _time.GetTimestamp();
        var wait = tracker.LastAckAt == 0 ? TimeSpan.Zero : _groupAckInterval - _time.GetElapsedTime(tracker.LastAckAt, now);
        if (wait <= TimeSpan.Zero)
        {
            tracker.LastAckAt = now;
            return false;
        }

        tracker.AckSpacingArmed = true;
        _ = PostAfterAsync(wait, new AckSpacingElapsed(tracker.ConversationId));
        return true;
    }

    private async Task PostAfterAsync(TimeSpan wait, InboxItem item)
    {
        await Task.Delay(wait, _time).ConfigureAwait(false);
        await PostAsync(item).ConfigureAwait(false);
    }

    private async Task AckAsync(string conversationId, long seq)
    {
        var accepted = false;
        try
        {
            await _host.AckAsync(conversationId, seq).ConfigureAwait(false);
            accepted = true;
        }
        catch (Exception ex) when (ex is ImConnectionException or TimeoutException or ImServerException)
        {
            // Not retried here: the next message or the next sync of this conversation acks again.
        }

        await PostAsync(new AckFinished(conversationId, seq, accepted)).ConfigureAwait(false);
    }

    private void OnAckFinished(AckFinished ack)
    {
        var tracker = Get(ack.ConversationId);
        tracker.AckInFlight = false;
        if (ack.Accepted)
        {
            tracker.AckedSeq = Math.Max(tracker.AckedSeq, ack.Seq);
            if (tracker.Contiguous > tracker.AckedSeq)
            {
                _ackDue.Add(tracker);
            }
        }
    }
}
