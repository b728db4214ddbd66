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

        StartInLane(new LaneSend(this, frame.Header, send));
        return true;
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
