using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Google.Protobuf;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client.Tests;

/// <summary>A frame the fake edge read from a client.</summary>
internal sealed record ReceivedFrame(FakeEdge.Session Session, CommandCode Command, uint RequestId, byte[] Body)
{
    public T As<T>(MessageParser<T> parser) where T : IMessage<T> => parser.ParseFrom(Body);
}

/// <summary>
/// A scriptable stand-in for an edge node on a loopback port: it speaks the real framing, keeps 1:1 conversations
/// in memory and answers every command the SDK uses, so a test can make it misbehave one frame at a time
/// (<see cref="Intercept"/>) and watch what the client sends (<see cref="Frames"/>).
/// </summary>
internal sealed class FakeEdge : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Session, byte> _sessions = new();
    private readonly Dictionary<string, List<ChatMessage>> _store = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChatMessage> _byClientId = new(StringComparer.Ordinal);
    private readonly Lock _storeLock = new();
    private readonly Task _acceptLoop;

    public FakeEdge()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Every frame read from any client, in order.</summary>
    public Channel<ReceivedFrame> Frames { get; } = Channel.CreateUnbounded<ReceivedFrame>();

    /// <summary>Sees each frame first; return true to take it over (answer it yourself, or not at all).</summary>
    public Func<ReceivedFrame, Task<bool>>? Intercept { get; set; }

    public int Accepted;

    public string? RequiredToken { get; set; }

    public IReadOnlyCollection<Session> Sessions => _sessions.Keys.ToList();

    /// <summary>Stores a message as if someone sent it, without pushing it.</summary>
    public ChatMessage Store(string conversationId, string senderId, string content)
    {
        lock (_storeLock)
        {
            if (!_store.TryGetValue(conversationId, out var messages))
            {
                _store[conversationId] = messages = [];
            }

            var message = new ChatMessage
            {
                ConversationId = conversationId,
                Seq = messages.Count + 1,
                ClientMsgId = Guid.NewGuid().ToString(),
                SenderId = senderId,
                Type = MessageType.Text,
                Content = content,
                ServerTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            };
            messages.Add(message);
            return message;
        }
    }

    public async Task PushAsync(ChatMessage message)
    {
        foreach (var session in Sessions)
        {
            await session.WriteAsync(CommandCode.MessagePush, FrameFlags.Push, 0, new MessagePush { Message = message });
        }
    }

    /// <summary>Waits for the next frame of a command, skipping others (heartbeats, acks).</summary>
    public async Task<ReceivedFrame> NextAsync(CommandCode command, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var frame = await Frames.Reader.ReadAsync(deadline.Token);
            if (frame.Command == command)
            {
                return frame;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        foreach (var session in Sessions)
        {
            session.Abort();
        }

        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The listener was closed under the accept.
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptAsync(_stop.Token);
            Interlocked.Increment(ref Accepted);
            var session = new Session(this, socket);
            _sessions[session] = 0;
            _ = session.RunAsync();
        }
    }

    private async Task HandleAsync(ReceivedFrame frame)
    {
        await Frames.Writer.WriteAsync(frame);
        if (Intercept is { } intercept && await intercept(frame))
        {
            return;
        }

        var session = frame.Session;
        switch (frame.Command)
        {
            case CommandCode.Login:
                var login = frame.As(LoginRequest.Parser);
                if (RequiredToken is not null && login.Token != RequiredToken)
                {
                    await session.WriteErrorAsync(frame, ErrorCode.InvalidToken, "bad token");
                    session.Abort();
                    return;
                }

                session.UserId = login.UserId;
                await session.AnswerAsync(frame, new LoginResponse { SessionId = Guid.NewGuid().ToString() });
                break;
            case CommandCode.Heartbeat:
                await session.AnswerAsync(frame, new HeartbeatResponse());
                break;
            case CommandCode.SendMessage:
                var send = frame.As(SendMessageRequest.Parser);
                ChatMessage stored;
                bool duplicate;
                lock (_storeLock)
                {
                    duplicate = _byClientId.TryGetValue(send.ClientMsgId, out stored!);
                }

                if (!duplicate)
                {
                    stored = Store(send.ConversationId, session.UserId!, send.Content);
                    stored.ClientMsgId = send.ClientMsgId;
                    lock (_storeLock)
                    {
                        _byClientId[send.ClientMsgId] = stored;
                    }
                }

                await session.AnswerAsync(frame, new SendMessageResponse { ConversationId = send.ConversationId, Seq = stored.Seq, Duplicate = duplicate });
                if (!duplicate)
                {
                    await PushAsync(stored);
                }

                break;
            case CommandCode.PullMessages:
                var pull = frame.As(PullMessagesRequest.Parser);
                await session.AnswerAsync(frame, Pull(pull));
                break;
            case CommandCode.GetConversations:
                var answer = new GetConversationsResponse();
                lock (_storeLock)
                {
                    foreach (var (id, messages) in _store)
                    {
                        answer.Conversations.Add(new Conversation { ConversationId = id, MaxSeq = messages.Count, LastMessage = messages[^1] });
                    }
                }

                answer.Total = answer.Conversations.Count;
                await session.AnswerAsync(frame, answer);
                break;
            case CommandCode.DeliveryAck:
                await session.AnswerAsync(frame, new DeliveryAckResponse());
                break;
            case CommandCode.MarkRead:
                var read = frame.As(MarkReadRequest.Parser);
                await session.AnswerAsync(frame, new MarkReadResponse { ReadSeq = read.Seq });
                break;
            case CommandCode.Logout:
                await session.AnswerAsync(frame, new LogoutResponse());
                session.Abort();
                break;
            default:
                await session.WriteErrorAsync(frame, ErrorCode.UnknownCommand, "unknown");
                break;
        }
    }

    private PullMessagesResponse Pull(PullMessagesRequest pull)
    {
        lock (_storeLock)
        {
            var messages = _store.GetValueOrDefault(pull.ConversationId) ?? [];
            var max = pull.MaxSeq == 0 ? messages.Count : pull.MaxSeq;
            var limit = pull.Limit == 0 ? 20 : pull.Limit;
            var page = messages.Where(m => m.Seq >= pull.MinSeq && m.Seq <= max).TakeLast(limit);
            var answer = new PullMessagesResponse { MaxSeq = messages.Count };
            answer.Messages.AddRange(page);
            return answer;
        }
    }

    /// <summary>One accepted client connection.</summary>
    internal sealed class Session(FakeEdge edge, Socket socket)
    {
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private readonly NetworkStream _stream = new(socket, ownsSocket: true);

        public string? UserId { get; set; }

        /// <summary>While true, frames are still read but nothing is answered (a half-dead link).</summary>
        public bool Mute { get; set; }

        public Task AnswerAsync(ReceivedFrame request, IMessage body) =>
            WriteAsync(request.Command, FrameFlags.Response, request.RequestId, body);

        public Task WriteErrorAsync(ReceivedFrame request, ErrorCode code, string reason) =>
            WriteAsync(request.Command, FrameFlags.Response | FrameFlags.Error, request.RequestId, new ErrorBody { Code = (uint)code, Reason = reason });

        public async Task WriteAsync(CommandCode command, FrameFlags flags, uint requestId, IMessage body)
        {
            if (Mute)
            {
                return;
            }

            var buffer = new ArrayBufferWriter<byte>();
            FrameWriter.Write(buffer, command, flags, requestId, body);
            await _writeLock.WaitAsync();
            try
            {
                await _stream.WriteAsync(buffer.WrittenMemory);
            }
            catch (IOException)
            {
                // The client is gone; the test looks at what the client did, not at this.
            }
            finally
            {
                _writeLock.Release();
            }
        }

        /// <summary>Closes like a real server does after a kick: the frames already written arrive, then EOF.</summary>
        public void CloseGracefully()
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }
        }

        public void Abort()
        {
            edge._sessions.TryRemove(this, out _);
            socket.Dispose();
        }

        public async Task RunAsync()
        {
            var reader = PipeReader.Create(_stream);
            try
            {
                while (true)
                {
                    var result = await reader.ReadAsync();
                    var buffer = result.Buffer;
                    while (FrameReader.TryRead(ref buffer, 1 << 20, out var frame, out _) == FrameReadStatus.Frame)
                    {
                        await edge.HandleAsync(new ReceivedFrame(this, frame.Header.Command, frame.Header.RequestId, frame.Body.ToArray()));
                    }

                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
            {
                // Aborted by the test or by the client.
            }
            finally
            {
                Abort();
            }
        }
    }
}
