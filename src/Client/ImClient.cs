using System.Collections.Concurrent;
using Google.Protobuf;
using ImOrleans.Client.Internal;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client;

/// <summary>
/// A chat session with an ImOrleans edge: logs in, keeps the link alive (heartbeats, dead-link detection,
/// reconnect with backoff), sends messages FIFO with resend until acknowledged, and reports every message of the
/// user's conversations exactly once and in seq order per conversation, filling gaps and syncing after every
/// (re)connect by seq.
/// </summary>
/// <remarks>
/// All events are raised one at a time on the client's own loop, never concurrently: handlers must return quickly
/// and must not block on the client (await its calls elsewhere). The message objects handed out are shared; do not
/// change them. One instance logs in once: after <see cref="LogoutAsync"/> or a final kick, make a new one.
/// </remarks>
public sealed partial class ImClient : IAsyncDisposable
{
    private readonly EndpointList _endpoints;
    private readonly ConnectionGate _gate = new();
    private readonly Inbox _inbox;
    private readonly SendQueue _sends;
    private readonly RecentIdSet _ownSends = new(4096);
    private readonly ConcurrentDictionary<string, long> _received = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Creates a client; nothing happens on the network until <see cref="ConnectAsync"/>.</summary>
    public ImClient(ImClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _endpoints = new EndpointList(options);
        _inbox = new Inbox(new InboxHost(this), options);
        _sends = new SendQueue(_gate, options);
    }

    /// <summary>The client's state changed. Raised in order, after the change took effect (see <see cref="State"/>).</summary>
    public event EventHandler<ImClientStateChangedEventArgs>? StateChanged;

    /// <summary>
    /// A message of one of the user's conversations: pushed, pulled to fill a gap, or found by the sync after a login.
    /// Raised once per (conversation, seq) per client instance, in seq order within a conversation. Unless
    /// <see cref="ImClientOptions.RaiseOwnSends"/> is set, not raised for the echo of this instance's own sends.
    /// </summary>
    public event EventHandler<ChatMessage>? MessageReceived;

    /// <summary>
    /// A business notice of the user's notice conversation (<c>n:&lt;user id&gt;</c>, R11), pushed or found by the sync;
    /// raised once per notice, in seq order. The client acks notices by itself (NoticeAck).
    /// </summary>
    public event EventHandler<ChatMessage>? NoticeReceived;

    /// <summary>
    /// A message already reported changed status (R19): revoked (by its sender or a group admin, for everyone) or
    /// deleted (by this user, on another device or this one). The message carries conversation id, seq and the new
    /// status; its content is gone. Raised once per message and status, whether the change came as a push or as a
    /// REVOKE message found by the sync.
    /// </summary>
    public event EventHandler<ChatMessage>? MessageUpdated;

    /// <summary>
    /// A member's delivered or read position moved forward in one of the user's conversations (R17); the user's own id
    /// means another of its devices read (R22). Repeated and stale receipts are dropped.
    /// </summary>
    public event EventHandler<ReceiptPush>? ReceiptReceived;

    /// <summary>The server is closing the session and said why. Raised before the matching <see cref="StateChanged"/>.</summary>
    public event EventHandler<KickedEventArgs>? Kicked;

    public ImClientOptions Options { get; }

    public ImClientState State => (ImClientState)Volatile.Read(ref _state);

    /// <summary>The session id of the current (or last) login; null before the first one.</summary>
    public string? SessionId => Volatile.Read(ref _sessionId);

    /// <summary>
    /// Sends a message to a conversation and returns the server's ack (its seq, the server time, and whether an
    /// earlier send with the same id had stored it already). Sends go out in call order, one at a time; one that gets
    /// no ack is resent (same <paramref name="clientMsgId"/>, <c>resend = true</c>) until acknowledged, across
    /// reconnects, until <paramref name="cancellationToken"/> is cancelled. A cancelled send may still have been stored.
    /// </summary>
    /// <param name="conversationId">"s:&lt;a&gt;:&lt;b&gt;" for 1:1 chat (<see cref="Identifiers.SingleConversation"/>), or a group's conversation id.</param>
    /// <param name="type">The message type (R18).</param>
    /// <param name="content">Text, or the type's payload.</param>
    /// <param name="attachments">Metadata of media uploaded elsewhere (the message carries the URL).</param>
    /// <param name="clientMsgId">The message's id; default a new UUID. Pass your own to resend a message saved before a restart.</param>
    /// <param name="cancellationToken">Stops waiting and resending; the message may still have been stored.</param>
    /// <exception cref="ImServerException">The server refused the message (not a member, invalid content, ...).</exception>
    /// <exception cref="ImConnectionException">The client was stopped (logout, final kick, disposal) before the ack.</exception>
    public Task<SendMessageResponse> SendAsync(
        string conversationId,
        MessageType type,
        string content,
        IEnumerable<Attachment>? attachments = null,
        string? clientMsgId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        ArgumentNullException.ThrowIfNull(content);
        ThrowIfNotStarted();
        var request = new SendMessageRequest
        {
            ConversationId = conversationId,
            ClientMsgId = clientMsgId ?? Guid.NewGuid().ToString(),
            Type = type,
            Content = content,
            ClientTimeMs = Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        if (attachments is not null)
        {
            request.Attachments.AddRange(attachments);
        }

        _ownSends.Add(request.ClientMsgId);
        return SendAndRecordAsync(request, cancellationToken);
    }

    private async Task<SendMessageResponse> SendAndRecordAsync(SendMessageRequest request, CancellationToken cancellationToken)
    {
        var ack = await _sends.SendAsync(request, cancellationToken).ConfigureAwait(false);

        // The server pushes a new message to every session but the one that sent it: this one has the ack.
        var own = new ChatMessage
        {
            ConversationId = request.ConversationId,
            Seq = ack.Seq,
            ClientMsgId = request.ClientMsgId,
            SenderId = Options.UserId,
            Type = request.Type,
            Content = request.Content,
            ClientTimeMs = request.ClientTimeMs,
            ServerTimeMs = ack.ServerTimeMs,
            Status = MessageStatus.Normal,
        };
        own.Attachments.AddRange(request.Attachments);
        await _inbox.PostAsync(new OwnMessageStored(own), CancellationToken.None).ConfigureAwait(false);
        return ack;
    }

    /// <summary>Sends a text message; see <see cref="SendAsync"/>.</summary>
    public Task<SendMessageResponse> SendTextAsync(string conversationId, string text, CancellationToken cancellationToken = default) =>
        SendAsync(conversationId, MessageType.Text, text, cancellationToken: cancellationToken);

    /// <summary>
    /// Marks the conversation read up to <paramref name="upToSeq"/>, by default up to the newest message this client
    /// has without a gap, and returns the new read position and unread count (R21). Other devices of the user get
    /// a receipt (R22).
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="upToSeq"/> is null and this client knows nothing of the conversation yet.</exception>
    public Task<MarkReadResponse> MarkReadAsync(string conversationId, long? upToSeq = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        long seq;
        if (upToSeq is { } given)
        {
            seq = given;
        }
        else if (!_received.TryGetValue(conversationId, out seq))
        {
            throw new InvalidOperationException($"No message of {conversationId} has been received yet; pass the seq to mark read up to.");
        }

        return RequestAsync(CommandCode.MarkRead, new MarkReadRequest { ConversationId = conversationId, Seq = seq }, MarkReadResponse.Parser, cancellationToken);
    }

    /// <summary>One page of the user's conversations (R20, R26): at most <paramref name="limit"/> from <paramref name="offset"/>, and the total.</summary>
    public Task<GetConversationsResponse> GetConversationsAsync(int limit = 20, int offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return RequestAsync(CommandCode.GetConversations, new GetConversationsRequest { Limit = limit, Offset = offset }, GetConversationsResponse.Parser, cancellationToken);
    }

    /// <summary>
    /// History (R14, R26): the newest <paramref name="limit"/> (at most 100; 0 means 20) messages with
    /// <paramref name="minSeq"/> &lt;= seq &lt;= <paramref name="maxSeq"/> (0 = the newest), in ascending seq order,
    /// with the conversation's max and init seq. Pages further back: pass the first seq returned minus one as
    /// <paramref name="maxSeq"/>. Does not raise <see cref="MessageReceived"/>.
    /// </summary>
    public Task<PullMessagesResponse> PullMessagesAsync(string conversationId, long minSeq = 0, long maxSeq = 0, int limit = 20, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var request = new PullMessagesRequest { ConversationId = conversationId, MinSeq = minSeq, MaxSeq = maxSeq, Limit = limit };
        return RequestAsync(CommandCode.PullMessages, request, PullMessagesResponse.Parser, cancellationToken);
    }

    /// <summary>
    /// Sends a request on the live link, waiting for one during a reconnect; <see cref="ImClientOptions.RequestTimeout"/>
    /// bounds the wait and the answer together.
    /// </summary>
    private async Task<T> RequestAsync<T>(CommandCode command, IMessage body, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        ThrowIfNotStarted();
        var time = Options.TimeProvider;
        var started = time.GetTimestamp();
        Connection connection;
        using (var timeout = new CancellationTokenSource(Options.RequestTimeout, time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                connection = await _gate.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No link to the server within {Options.RequestTimeout} for {command}.");
            }
        }

        var remaining = Options.RequestTimeout - time.GetElapsedTime(started);
        return await connection.RequestAsync(command, body, parser, remaining > TimeSpan.Zero ? remaining : TimeSpan.FromTicks(1), cancellationToken)
            .ConfigureAwait(false);
    }

    private void ThrowIfNotStarted()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _started) == 0)
        {
            throw new InvalidOperationException("Call ConnectAsync first.");
        }
    }
}
