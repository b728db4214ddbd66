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
    private readonly ConcurrentDictionary<long, AwaitedSend> _pending = new();
    private long _lastToken;

    public int Count => _pending.Count;

    /// <summary>The token to send <paramref name="send"/> with; its answer is given to it.</summary>
    public long Expect(AwaitedSend send)
    {
        var token = Interlocked.Increment(ref _lastToken);
        send.SentAt = time.GetTimestamp();
        _pending[token] = send;
        return token;
    }

    /// <summary>No answer will come for <paramref name="token"/>: its send could not be made.</summary>
    public void Forget(long token) => _pending.TryRemove(token, out _);

    public void Answer(long token, SendResult result)
    {
        if (_pending.TryRemove(token, out var send))
        {
            send.Answered(result);
        }
    }

    public void Refuse(long token, ErrorCode code, string reason)
    {
        if (_pending.TryRemove(token, out var send))
        {
            send.Refused(code, reason);
        }
    }

    /// <summary>Gives up on the answers waited for longer than <paramref name="timeout"/> at <paramref name="now"/> (a timestamp).</summary>
    public void Expire(long now, TimeSpan timeout)
    {
        foreach (var (token, send) in _pending)
        {
            if (time.GetElapsedTime(send.SentAt, now) > timeout)
            {
                Refuse(token, ErrorCode.Unavailable, "the message was not confirmed in time; resend it");
            }
        }
    }

    /// <summary>Gives up on every answer waited for: a silo died, and the grains it hosted will not answer.</summary>
    public void GiveUpAll()
    {
        foreach (var token in _pending.Keys)
        {
            Refuse(token, ErrorCode.Unavailable, "a server node was lost while the message was being stored; resend it");
        }
    }
}
