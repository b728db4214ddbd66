using System.Buffers;
using System.Diagnostics;
using Google.Protobuf;
using ImOrleans.Grains;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EdgeGateway;

// Pipelining: once logged in, a connection's requests are handled side by side (up to Edge:MaxRequestsInFlight),
// except that sends to one conversation form a lane and are handled one after another in arrival order, so they get
// seqs in the order the client wrote them. Login, logout and anything refused before login are handled in line.
internal sealed partial class EdgeSession
{
    private SemaphoreSlim? _requestSlots;

    /// <summary>Has no fields and is only ever serialized, so one instance answers every delivery ack (about one per message received).</summary>
    private static readonly DeliveryAckResponse DeliveryAckAnswer = new();

    /// <summary>The last send of each conversation this connection has in flight; also the lock for <see cref="_sendsInFlight"/>.</summary>
    private readonly Dictionary<string, Task> _sendLanes = new(StringComparer.Ordinal);

    private int _sendsInFlight;

    /// <summary>Handles a frame in line or starts it alongside others. Returns false when the connection must stop reading.</summary>
    private async ValueTask<bool> DispatchAsync(Frame frame)
    {
        var command = frame.Header.Command;
        if (frame.Header.RequestId == 0 || !IsLoggedIn || !IsSessionCommand(command) || command == CommandCode.Logout)
        {
            Volatile.Write(ref _handling, 1);
            if (command == CommandCode.Logout)
            {
                await WaitForRequestsInFlightAsync(); // Everything asked before the logout is answered before it.
            }

            var goOn = await HandleFrameAsync(frame);
            Volatile.Write(ref _lastReadAt, _time.GetTimestamp());
            Volatile.Write(ref _handling, 0);
            return goOn;
        }

        if (command == CommandCode.DeliveryAck && TryAnswerSingleDeliveryAck(frame))
        {
            return true;
        }

        // A send is parsed here, since its lane is its conversation; the parsed request holds copies of its fields.
        SendMessageRequest? send = null;
        if (command == CommandCode.SendMessage)
        {
            try
            {
                send = SendMessageRequest.Parser.ParseFrom(frame.Body);
            }
            catch (InvalidProtocolBufferException ex)
            {
                return AnswerMalformed(frame.Header, ex);
            }
        }

        var slots = _requestSlots ??= new SemaphoreSlim(_options.MaxRequestsInFlight, _options.MaxRequestsInFlight);
        if (!slots.Wait(0))
        {
            // The frames behind this one wait unread: the server is busy, not the client silent (idle clock stops).
            Volatile.Write(ref _handling, 1);
            await slots.WaitAsync();
            Volatile.Write(ref _lastReadAt, _time.GetTimestamp());
            Volatile.Write(ref _handling, 0);
        }

        if (send is null)
        {
            // The body lives in the connection's read buffer, which is reused once the read loop moves on.
            _ = RunAlongsideAsync(new Frame(frame.Header, new ReadOnlySequence<byte>(frame.Body.ToArray())));
            return true;
        }

        // A finished send must not stay in the lanes: young, and referenced from this old dictionary, it (and its
        // request) would be found and promoted by every collection, for each chatting session (docs/benchmarks.md,
        // sessions 21 and 22). The last send to finish empties the lanes; finished ones go at every send as well, for a
        // connection that always has some send in flight.
        Task? before;
        lock (_sendLanes)
        {
            foreach (var (conversationId, task) in _sendLanes)
            {
                if (task.IsCompleted)
                {
                    _sendLanes.Remove(conversationId);
                }
            }

            _sendLanes.TryGetValue(send.ConversationId, out before);
            _sendsInFlight++;
        }

        var lane = RunSendAsync(frame.Header, send, before);
        lock (_sendLanes)
        {
            // With no send in flight this one has finished too (its count is taken before its task completes): it
            // needs no lane, and one kept now would stay until the next send.
            if (_sendsInFlight > 0 && !lane.IsCompleted)
            {
                _sendLanes[send.ConversationId] = lane;
            }
        }

        return true;
    }

    private void SendFinished()
    {
        lock (_sendLanes)
        {
            if (--_sendsInFlight == 0)
            {
                _sendLanes.Clear();
            }
        }
    }

    /// <summary>
    /// Answers a delivery ack of a 1:1 conversation in line, without a request slot or a copy of the body: a 1:1
    /// conversation's id names its members, so the edge refuses a non-member itself and forwards the ack one-way
    /// (lost ones are made good by the client's next ack), and clients send about one such ack per message they
    /// receive. False for a group's ack or a body that does not parse, which the usual path handles and answers.
    /// </summary>
    private bool TryAnswerSingleDeliveryAck(Frame frame)
    {
        DeliveryAckRequest request;
        try
        {
            request = DeliveryAckRequest.Parser.ParseFrom(frame.Body);
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }

        if (!Identifiers.IsSingleOf(request.ConversationId, _userId))
        {
            return false;
        }

        var header = frame.Header;
        var started = EdgeMetrics.RequestDurationEnabled ? Stopwatch.GetTimestamp() : 0;
        try
        {
            _ = Conversation(request.ConversationId).OnDelivered(_userId, request.Seq);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return AnswerUnexpected(header, ex);
        }

        if (!header.WantsNoReply)
        {
            Enqueue(OutboundFrame.Response(header.Command, header.RequestId, DeliveryAckAnswer));
        }

        if (started != 0)
        {
            EdgeMetrics.RequestAnswered(header.Command, started);
        }

        return true;
    }

    private async Task RunAlongsideAsync(Frame frame)
    {
        try
        {
            if (!await HandleFrameAsync(frame))
            {
                CloseAfterFlush();
            }
        }
        catch (Exception ex)
        {
            // Only cancellation escapes HandleFrameAsync: the connection is going away.
            Log.RequestAbandoned(_logger, ConnectionId, frame.Header.Command, ex.Message);
        }
        finally
        {
            _requestSlots!.Release();
        }
    }

    /// <summary>
    /// A send from its lane to its answer. Most requests are sends, so they skip the general dispatch: one state
    /// machine per send instead of three (each allocated, since each awaits the grain).
    /// </summary>
    private async Task RunSendAsync(FrameHeader header, SendMessageRequest request, Task? after)
    {
        try
        {
            if (after is not null)
            {
                await after; // Never faults: this method catches everything.
            }

            var started = EdgeMetrics.RequestDurationEnabled ? Stopwatch.GetTimestamp() : 0;
            try
            {
                var result = await SendToConversation(request);
                Enqueue(OutboundFrame.Response(header.Command, header.RequestId, SendResponse(request, result)));
            }
            catch (RequestRejectedException ex)
            {
                AnswerFailed(header, ex.Code, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                AnswerUnexpected(header, ex);
            }
            finally
            {
                if (started != 0)
                {
                    EdgeMetrics.RequestAnswered(header.Command, started);
                }
            }
        }
        catch (Exception ex)
        {
            // Only cancellation gets here: the connection is going away.
            Log.RequestAbandoned(_logger, ConnectionId, header.Command, ex.Message);
        }
        finally
        {
            SendFinished();
            _requestSlots!.Release();
        }
    }

    /// <summary>
    /// The conversation's answer to a send. A 1:1 conversation answers through this edge's fan-out endpoint, without
    /// an Orleans response (<see cref="IConversationGrain.SendWithReply"/>); a group answers the call.
    /// </summary>
    private Task<SendResult> SendToConversation(SendMessageRequest request)
    {
        var grain = Conversation(request.ConversationId);
        if (Fanout is not { } fanout || grain is not IConversationGrain single)
        {
            return grain.Send(_userId, request.ToOutgoing(_info!.SessionId));
        }

        var answer = fanout.Answers.Expect(out var token);
        try
        {
            single.SendWithReply(_userId, request.ToOutgoing(_info!.SessionId, token), fanout.Reference).Ignore();
        }
        catch
        {
            fanout.Answers.Forget(token);
            throw;
        }

        return answer;
    }

    private static SendMessageResponse SendResponse(SendMessageRequest request, SendResult result) => new()
    {
        ConversationId = request.ConversationId,
        Seq = result.Seq,
        ServerTimeMs = result.ServerTimeMs,
        Duplicate = result.Duplicate,
    };

    private async Task WaitForRequestsInFlightAsync()
    {
        if (_requestSlots is not { } slots || slots.CurrentCount == _options.MaxRequestsInFlight)
        {
            return;
        }

        for (var i = 0; i < _options.MaxRequestsInFlight; i++)
        {
            await slots.WaitAsync();
        }

        slots.Release(_options.MaxRequestsInFlight);
    }
}
