using System.Diagnostics;
using ImOrleans.Grains;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EdgeGateway;

// Sends, from their lanes to their answers. The sends of one conversation form a lane: each is made once the one before
// it is answered, so they get seqs in the order the client wrote them. A send is an object that waits, not an async
// method: a 1:1 send's answer comes back through this edge's fan-out endpoint (SendAnswers) and finishes it, and the
// next send of its lane starts from there. A lane holds only sends in flight, so no finished send (young, and held
// by this old dictionary) is found by a collection.
internal sealed partial class EdgeSession
{
    /// <summary>The newest send in flight of each conversation of this connection: its lane's tail. Also the lanes' lock.</summary>
    private readonly Dictionary<string, LaneSend> _sendLanes = new(StringComparer.Ordinal);

    /// <summary>Makes <paramref name="send"/> now, or after the send before it in its conversation's lane is answered.</summary>
    private void StartInLane(LaneSend send)
    {
        var conversationId = send.Request.ConversationId;
        lock (_sendLanes)
        {
            if (_sendLanes.TryGetValue(conversationId, out var tail))
            {
                tail.Next = send;
                _sendLanes[conversationId] = send;
                return;
            }

            _sendLanes[conversationId] = send;
        }

        Start(send);
    }

    private void Start(LaneSend send)
    {
        send.Started = EdgeMetrics.RequestDurationEnabled ? Stopwatch.GetTimestamp() : 0;
        try
        {
            var grain = Conversation(send.Request.ConversationId);
            if (Fanout is { } fanout && grain is IConversationGrain single)
            {
                // A 1:1 conversation answers through this edge's fan-out endpoint, without an Orleans response
                // (IConversationGrain.SendWithReply).
                var token = fanout.Answers.Expect(send);
                try
                {
                    single.SendWithReply(_userId, send.Request.ToOutgoing(_info!.SessionId, token), fanout.Reference).Ignore();
                }
                catch
                {
                    fanout.Answers.Forget(token);
                    throw;
                }
            }
            else
            {
                grain.Send(_userId, send.Request.ToOutgoing(_info!.SessionId))
                    .ContinueWith(static (call, state) => ((LaneSend)state!).CallEnded(call), send, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }
        catch (Exception ex)
        {
            send.Failed(ex);
        }
    }

    /// <summary>Answers the client, frees the send's slot, and makes the next send of its lane.</summary>
    private void Finish(LaneSend send)
    {
        try
        {
            if (send.Result is { } result)
            {
                Enqueue(OutboundFrame.Response(send.Header.Command, send.Header.RequestId, SendResponse(send.Request, result)));
            }
            else if (send.Failure is null)
            {
                AnswerFailed(send.Header, send.RefusedWith, send.RefusedBecause);
            }
            else if (send.Failure is RequestRejectedException refusal)
            {
                AnswerFailed(send.Header, refusal.Code, refusal.Message);
            }
            else if (send.Failure is OperationCanceledException)
            {
                Log.RequestAbandoned(_logger, ConnectionId, send.Header.Command, send.Failure.Message); // The connection is going away.
            }
            else
            {
                AnswerUnexpected(send.Header, send.Failure);
            }

            if (send.Started != 0)
            {
                EdgeMetrics.RequestAnswered(send.Header.Command, send.Started);
            }
        }
        finally
        {
            LaneSend? next;
            lock (_sendLanes)
            {
                next = send.Next;
                if (next is null)
                {
                    _sendLanes.Remove(send.Request.ConversationId); // It was the lane's tail.
                }
            }

            _requestSlots!.Release();
            if (next is not null)
            {
                Start(next);
            }
        }
    }

    private static SendMessageResponse SendResponse(SendMessageRequest request, SendResult result) => new()
    {
        ConversationId = request.ConversationId,
        Seq = result.Seq,
        ServerTimeMs = result.ServerTimeMs,
        Duplicate = result.Duplicate,
    };

    /// <summary>One send of this connection, from its lane to its answer.</summary>
    private sealed class LaneSend(EdgeSession session, FrameHeader header, SendMessageRequest request) : AwaitedSend, IThreadPoolWorkItem
    {
        public FrameHeader Header => header;

        public SendMessageRequest Request => request;

        /// <summary>The send after this one in its lane; set under the lanes' lock.</summary>
        public LaneSend? Next { get; set; }

        public long Started { get; set; }

        public SendResult? Result { get; private set; }

        public ErrorCode RefusedWith { get; private set; }

        public string RefusedBecause { get; private set; } = "";

        public Exception? Failure { get; private set; }

        // An answer may be told inside a grain's turn (the conversation runs in this process): the session goes on
        // from a pool thread, so that the next send of the lane is not made from inside that grain.
        public override void Answered(SendResult result)
        {
            Result = result;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }

        public override void Refused(ErrorCode code, string reason)
        {
            (RefusedWith, RefusedBecause) = (code, reason);
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }

        /// <summary>A group's send: its call has ended (on a pool thread).</summary>
        public void CallEnded(Task<SendResult> call)
        {
            if (call.IsCompletedSuccessfully)
            {
                Result = call.Result;
            }
            else
            {
                Failure = call.Exception?.InnerException ?? new OperationCanceledException();
            }

            session.Finish(this);
        }

        /// <summary>The send could not be made.</summary>
        public void Failed(Exception failure)
        {
            Failure = failure;
            session.Finish(this);
        }

        public void Execute() => session.Finish(this);
    }
}
