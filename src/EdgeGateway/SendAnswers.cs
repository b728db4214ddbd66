using System.Collections.Concurrent;
using ImOrleans.Grains;
using ImOrleans.Protocol;

namespace ImOrleans.EdgeGateway;

/// <summary>
/// This edge's 1:1 sends waiting for their answers (<see cref="IConversationGrain.SendWithReply"/>), by the token each
/// was sent with. The conversation answers through the edge's fan-out endpoint once the message is stored. An answer
/// that has not come within <see cref="EdgeGatewayOptions.SendAnswerTimeout"/>, or that may never come because a silo
/// died, is given as Unavailable: the client resends, and the conversation deduplicates the resend by its client
/// message id, answering with the seq it was stored under if it was.
/// </summary>
internal sealed class SendAnswers(TimeProvider time)
{
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private long _lastToken;

    public int Count => _pending.Count;

    /// <summary>A token for a send about to be made, and its answer.</summary>
    public Task<SendResult> Expect(out long token)
    {
        token = Interlocked.Increment(ref _lastToken);
        var pending = new Pending(time.GetTimestamp());
        _pending[token] = pending;
        return pending.Task;
    }

    /// <summary>No answer will come for <paramref name="token"/>: its send could not be made.</summary>
    public void Forget(long token) => _pending.TryRemove(token, out _);

    public void Answer(long token, SendResult result)
    {
        if (_pending.TryRemove(token, out var pending))
        {
            pending.TrySetResult(result);
        }
    }

    public void Refuse(long token, ErrorCode code, string reason)
    {
        if (_pending.TryRemove(token, out var pending))
        {
            pending.TrySetException(new RequestRejectedException(code, reason));
        }
    }

    /// <summary>Gives up on the answers waited for longer than <paramref name="timeout"/> at <paramref name="now"/> (a timestamp).</summary>
    public void Expire(long now, TimeSpan timeout)
    {
        foreach (var (token, pending) in _pending)
        {
            if (time.GetElapsedTime(pending.SentAt, now) > timeout)
            {
                GiveUp(token, "the message was not confirmed in time; resend it");
            }
        }
    }

    /// <summary>Gives up on every answer waited for: a silo died, and the grains it hosted will not answer.</summary>
    public void GiveUpAll()
    {
        foreach (var token in _pending.Keys)
        {
            GiveUp(token, "a server node was lost while the message was being stored; resend it");
        }
    }

    private void GiveUp(long token, string reason) => Refuse(token, ErrorCode.Unavailable, reason);

    /// <summary>The answer, completed off the answering thread (a grain's turn), where the session goes on with its next send.</summary>
    private sealed class Pending(long sentAt) : TaskCompletionSource<SendResult>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long SentAt { get; } = sentAt;
    }
}
