using System.Diagnostics;
using Google.Protobuf;
using ImOrleans.Grains;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EdgeGateway;

internal sealed partial class EdgeSession
{
    private const int MaxCachedConversationGrains = 32;

    /// <summary>References of the conversations this session used lately; created at its first conversation request.</summary>
    private Dictionary<string, IMessageLogGrain>? _conversationGrains;
    private readonly Lock _conversationGrainsGate = new();

    /// <summary>This edge's group fan-out endpoint, registered with the session (null: groups push through the user grain).</summary>
    public EdgeFanout? Fanout { get; init; }

    /// <summary>Told when the session has logged in, so group fan-out finds it by user id.</summary>
    public EdgeSessionRegistry? Registry { get; init; }

    /// <summary>Handles one request. Returns false when the connection must stop reading.</summary>
    private async ValueTask<bool> HandleFrameAsync(Frame frame)
    {
        var header = frame.Header;
        if (header.RequestId == 0)
        {
            Enqueue(OutboundFrame.Error(header.Command, 0, ErrorCode.InvalidArgument, "request id must be non-zero"));
            return true;
        }

        try
        {
            switch (header.Command)
            {
                case CommandCode.Heartbeat:
                    HeartbeatRequest.Parser.ParseFrom(frame.Body);
                    Enqueue(OutboundFrame.Response(header.Command, header.RequestId,
                        new HeartbeatResponse { ServerTimeMs = _time.GetUtcNow().ToUnixTimeMilliseconds() }));
                    return true;
                case CommandCode.Login:
                    return await LoginAsync(header, LoginRequest.Parser.ParseFrom(frame.Body));
                case var command when IsSessionCommand(command):
                    if (!IsLoggedIn)
                    {
                        Enqueue(OutboundFrame.Error(header.Command, header.RequestId, ErrorCode.NotLoggedIn, "log in first"));
                        return true;
                    }

                    var started = EdgeMetrics.RequestDurationEnabled ? Stopwatch.GetTimestamp() : 0;
                    try
                    {
                        return await HandleRequestAsync(header, frame);
                    }
                    finally
                    {
                        if (started != 0)
                        {
                            EdgeMetrics.RequestAnswered(header.Command, started);
                        }
                    }
                default:
                    Enqueue(OutboundFrame.Error(header.Command, header.RequestId, ErrorCode.UnknownCommand,
                        $"command 0x{(ushort)header.Command:X4} is not supported"));
                    return true;
            }
        }
        catch (InvalidProtocolBufferException ex)
        {
            return AnswerMalformed(header, ex);
        }
        catch (RequestRejectedException ex)
        {
            return AnswerFailed(header, ex.Code, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return AnswerUnexpected(header, ex);
        }
    }

    /// <summary>A request failed in a way the client cannot fix: logged, and answered Unavailable so the client retries.</summary>
    private bool AnswerUnexpected(FrameHeader header, Exception exception)
    {
        Log.RequestFailed(_logger, exception, ConnectionId, _userId, header.Command);
        return AnswerFailed(header, ErrorCode.Unavailable, "the server could not complete the request; retry");
    }

    private bool AnswerMalformed(FrameHeader header, InvalidProtocolBufferException exception) =>
        AnswerFailed(header, ErrorCode.MalformedBody, $"body is not a valid message: {exception.Message}");

    /// <summary>Answers a request that failed with an error frame (a failed login is counted as such); the connection reads on.</summary>
    private bool AnswerFailed(FrameHeader header, ErrorCode code, string reason)
    {
        if (header.Command == CommandCode.Login)
        {
            EdgeMetrics.LoginAnswered(code);
        }

        Enqueue(OutboundFrame.Error(header.Command, header.RequestId, code, reason));
        return true;
    }

    /// <summary>Any request of a logged-in session but a send: DispatchAsync parses sends and RunSendAsync answers them.</summary>
    private async ValueTask<bool> HandleRequestAsync(FrameHeader header, Frame frame)
    {
        var body = frame.Body;
        IMessage response;
        switch (header.Command)
        {
            case CommandCode.DeliveryAck:
            {
                // A 1:1 conversation's ack never gets here: DispatchAsync answers it in line (TryAnswerSingleDeliveryAck).
                var request = DeliveryAckRequest.Parser.ParseFrom(body);
                await Conversation(request.ConversationId).AckDelivered(_userId, request.Seq);
                response = new DeliveryAckResponse();
                break;
            }

            case CommandCode.MarkRead:
            {
                var request = MarkReadRequest.Parser.ParseFrom(body);
                RequireConversationId(request.ConversationId);
                var result = await _user!.MarkRead(request.ConversationId, request.Seq);
                response = new MarkReadResponse { ReadSeq = result.ReadSeq, Unread = result.Unread };
                break;
            }

            case CommandCode.GetConversations:
            {
                var request = GetConversationsRequest.Parser.ParseFrom(body);
                var page = await _user!.GetConversations(request.Limit, request.Offset);
                var wire = new GetConversationsResponse { Total = page.Total };
                foreach (var item in page.Items)
                {
                    wire.Conversations.Add(item.ToWire());
                }

                response = wire;
                break;
            }

            case CommandCode.PullMessages:
            {
                var request = PullMessagesRequest.Parser.ParseFrom(body);
                var page = await Conversation(request.ConversationId).Pull(_userId, request.MinSeq, request.MaxSeq, request.Limit);
                var wire = new PullMessagesResponse { MaxSeq = page.MaxSeq, InitSeq = page.InitSeq };
                foreach (var m in page.Messages)
                {
                    wire.Messages.Add(m.ToWire());
                }

                response = wire;
                break;
            }

            case CommandCode.Logout:
                LogoutRequest.Parser.ParseFrom(body);
                Enqueue(OutboundFrame.Response(header.Command, header.RequestId, new LogoutResponse()));
                Log.LoggedOut(_logger, ConnectionId, _userId);
                CloseAfterFlush();
                return false;
            default:
                response = IsGroupCommand(header.Command)
                    ? await HandleGroupRequestAsync(header.Command, body)
                    : await HandleMessageRequestAsync(header.Command, body);
                break;
        }

        if (!(header.WantsNoReply && IsAck(header.Command)))
        {
            Enqueue(OutboundFrame.Response(header.Command, header.RequestId, response));
        }

        return true;
    }

    /// <summary>The commands a client may send with <see cref="FrameFlags.NoReply"/>; on any other the flag is ignored.</summary>
    private static bool IsAck(CommandCode command) => command is CommandCode.DeliveryAck or CommandCode.NoticeAck;

    private async ValueTask<bool> LoginAsync(FrameHeader header, LoginRequest request)
    {
        if (IsLoggedIn)
        {
            Enqueue(OutboundFrame.Error(header.Command, header.RequestId, ErrorCode.AlreadyLoggedIn, "this connection is already logged in"));
            return true;
        }

        var problem = !Identifiers.IsValidUserId(request.UserId) ? "user_id must be 1-64 characters of [A-Za-z0-9_.@-]"
            : string.IsNullOrEmpty(request.DeviceId) || request.DeviceId.Length > 128 ? "device_id must be 1-128 characters"
            : null;
        if (problem is not null)
        {
            return RejectLogin(header, ErrorCode.InvalidArgument, problem);
        }

        var tokenProblem = await _tokens.ValidateAsync(request.Token, request.UserId);
        if (tokenProblem is not null)
        {
            return RejectLogin(header, ErrorCode.InvalidToken, tokenProblem);
        }

        _userId = request.UserId;
        var info = new SessionInfo
        {
            SessionId = Guid.NewGuid().ToString("N"),
            DeviceId = request.DeviceId,
            Platform = request.Platform,
            EdgeId = _options.EdgeId,
            Edge = Fanout?.Reference,
        };
        _user = _grains.GetGrain<IUserGrain>(GrainKeys.User(_userId));
        _observer = new SessionObserver(this);
        _observerReference = _grains.CreateObjectReference<ISessionObserver>(_observer);
        await _user.Connect(info, _observerReference);
        _info = info;
        Registry?.AddLoggedIn(this, _observer);
        _lastRenewAt = _time.GetTimestamp();
        Log.LoggedIn(_logger, ConnectionId, _userId, info.DeviceId, info.SessionId);
        EdgeMetrics.LoginAnswered(null);
        EnqueueLoginResponse(OutboundFrame.Response(header.Command, header.RequestId, new LoginResponse
        {
            SessionId = info.SessionId,
            ServerTimeMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
            HeartbeatIntervalMs = (int)_options.HeartbeatInterval.TotalMilliseconds,
            IdleTimeoutMs = (int)_options.IdleTimeout.TotalMilliseconds,
        }));
        return true;
    }

    private bool RejectLogin(FrameHeader header, ErrorCode code, string reason)
    {
        Log.LoginRejected(_logger, ConnectionId, code, reason);
        EdgeMetrics.LoginAnswered(code);
        Enqueue(OutboundFrame.Error(header.Command, header.RequestId, code, reason));
        CloseAfterFlush();
        return false;
    }

    /// <summary>Commands a client may send once logged in.</summary>
    private static bool IsSessionCommand(CommandCode command) => command is CommandCode.Logout or CommandCode.SendMessage
        or CommandCode.DeliveryAck or CommandCode.MarkRead or CommandCode.GetConversations or CommandCode.PullMessages
        or CommandCode.NoticeAck or CommandCode.RevokeMessage or CommandCode.DeleteMessages or CommandCode.GetReadCount
        or CommandCode.UpdateConversation || IsGroupCommand(command);

    /// <summary>The grain that owns the conversation (1:1, notices or group).</summary>
    private IMessageLogGrain Conversation(string conversationId)
    {
        // Resolving a reference parses and hashes the grain id each time; a chatting session asks for the same
        // few conversations over and over. Pipelined requests run side by side, hence the lock.
        lock (_conversationGrainsGate)
        {
            if (_conversationGrains?.TryGetValue(conversationId, out var known) == true)
            {
                return known;
            }

            RequireConversationId(conversationId);
            var grain = _grains.MessageLog(conversationId);
            _conversationGrains ??= new Dictionary<string, IMessageLogGrain>(StringComparer.Ordinal);
            if (_conversationGrains.Count >= MaxCachedConversationGrains)
            {
                _conversationGrains.Clear();
            }

            _conversationGrains[conversationId] = grain;
            return grain;
        }
    }

    /// <summary>Refuses ids that cannot name a conversation before any grain is activated for them.</summary>
    private static void RequireConversationId(string conversationId)
    {
        if (string.IsNullOrEmpty(conversationId))
        {
            throw new RequestRejectedException(ErrorCode.InvalidArgument, "conversation_id is required");
        }

        if (!Identifiers.IsWellFormedConversationId(conversationId))
        {
            throw new RequestRejectedException(ErrorCode.ConversationNotFound, $"conversation '{Truncate(conversationId)}' does not exist");
        }
    }

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "...";
}
