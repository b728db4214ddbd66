using ImOrleans.Grains.Storage;
using ImOrleans.Protocol.Messages;
using Microsoft.Extensions.Logging;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

/// <summary>
/// The seq counter and stored history of one conversation, shared by the conversation and group grains: deduplicates
/// by client message id (R16), stores each message under the next seq before anything acks it (R15), reads history
/// and revokes. Store failures become <see cref="RequestRejectedException"/>s the client can act on. Owned by one grain
/// activation and used only from its turns.
/// <para>
/// Appends may overlap (a group grain lets its sends interleave, so that one group is not limited to one send per
/// commit round trip, and a 1:1 conversation answers its sends without holding a turn): each is queued to the store at
/// once under the next seq, and their results are taken in seq order, so the counter, the last message and the caller's pushes only ever move forward without a hole. All
/// appends of the log belong to one append chain of the store; when one fails, the store fails the chain's later
/// ones too, and the log starts a new chain from the newest stored seq, so a failure can never leave a gap.
/// </para>
/// Pass <c>keepsNewest</c> when the newest message is read often (a group's members coming online
/// ask for it); otherwise it is read back from the store when needed (a resend, a revoke), because a newest message
/// held by every conversation in use was traced by every collection (docs/benchmarks.md, session 13, item 9).
/// </summary>
internal sealed partial class MessageLog(string conversationId, IMessageStore store, TimeProvider time, int recentSendCapacity, ILogger logger, Action onStaleCounter, bool keepsNewest = false)
{
    private readonly RecentSends _recent = new(recentSendCapacity);

    /// <summary>The newest stored message when <c>keepsNewest</c>, else null.</summary>
    private StoredMessage? _last;

    /// <summary>The store's append chain of this log's appends from now on (see <see cref="IMessageStore.AppendAsync"/>).</summary>
    private long _chain = AppendChains.Next();

    /// <summary>The highest seq handed to an append, stored or still in flight; <see cref="MaxSeq"/> when none is in flight.</summary>
    private long _assigned;

    /// <summary>
    /// The newest append still in flight (the task <see cref="AppendInOrderAsync"/> returned, which completes once its
    /// result is taken in), or a completed task: the next append takes its result in after it. Not kept once done, so
    /// that no collection finds a young task held by this old object.
    /// </summary>
    private Task _newestTakenIn = Task.CompletedTask;

    /// <summary>The message of <see cref="_newestTakenIn"/>, by which its append knows itself.</summary>
    private StoredMessage? _newestInFlight;

    /// <summary>
    /// Sends in flight by client message id (<see cref="RecentSends.KeyOf"/>), with their appends: a resend waits for
    /// its original, which is stored when its append completes with a result.
    /// </summary>
    private readonly Dictionary<long, (StoredMessage Message, Task<SendResult> Append)> _inFlight = [];

    public string ConversationId { get; } = conversationId;

    /// <summary>
    /// How many of the newest messages a resend not found among the recent sends is looked for in (read from the
    /// store, which does not index client ids). A client resends within seconds of losing its answer, or on
    /// reconnecting; an original further back than this is stored again under a new seq.
    /// </summary>
    public const int ResendWindow = 20_000;

    /// <summary>The newest stored seq; 0 before the first message.</summary>
    public long MaxSeq { get; private set; }

    public long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task LoadAsync() => _assigned = MaxSeq = await store.GetMaxSeqAsync(ConversationId);

    /// <summary>The stored message of an earlier send with this client message id by this sender, if any.</summary>
    public async Task<StoredMessage?> FindEarlierSendAsync(string senderId, OutgoingMessage message)
    {
        var key = RecentSends.KeyOf(senderId, message.ClientMsgId);
        while (_inFlight.TryGetValue(key, out var flight) && flight.Message.SenderId == senderId && flight.Message.ClientMsgId == message.ClientMsgId)
        {
            // The original is still being stored: answer as it is answered. If it fails, it leaves the table and
            // this send is stored in its place (or waits for another copy that got there first).
            await ((Task)flight.Append).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
            if (flight.Append.IsCompletedSuccessfully && flight.Append.Result is not null)
            {
                return flight.Message;
            }
        }

        for (var i = _recent.IndexOf(key); i >= 0; i = _recent.IndexOf(key, i + 1))
        {
            // Almost always the newest message (a quick resend), which is in memory; otherwise one read by seq.
            if (await GetAsync(_recent.SeqAt(i)) is { } stored && stored.SenderId == senderId && stored.ClientMsgId == message.ClientMsgId)
            {
                return stored;
            }
        }

        if (!message.Resend)
        {
            return null;
        }

        try
        {
            var found = await store.FindByClientMsgIdAsync(ConversationId, message.ClientMsgId, Math.Max(1, MaxSeq - ResendWindow + 1));
            if (found?.SenderId != senderId)
            {
                return null;
            }

            _recent.Add(found);
            return found;
        }
        catch (Exception ex)
        {
            LogStoreFailed(logger, ex, ConversationId);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The message store is unavailable; resend later.");
        }
    }

    /// <summary>
    /// The message the next append would store: the next seq, stamped now. Append it before the turn awaits anything,
    /// or another turn's message may take the same seq.
    /// </summary>
    public StoredMessage Next(string senderId, MessageType type, string content, IReadOnlyList<AttachmentInfo> attachments, string clientMsgId, long clientTimeMs) => new()
    {
        ConversationId = ConversationId,
        Seq = _assigned + 1,
        ClientMsgId = clientMsgId,
        SenderId = senderId,
        Type = type,
        Content = content,
        Attachments = attachments,
        ClientTimeMs = clientTimeMs,
        ServerTimeMs = Now,
        Status = MessageStatus.Normal,
    };

    public StoredMessage Next(string senderId, OutgoingMessage message) =>
        Next(senderId, message.Type, message.Content ?? "", message.Attachments ?? [], message.ClientMsgId, message.ClientTimeMs);

    /// <summary>
    /// Durably stores <paramref name="message"/> (made by <see cref="Next(string, OutgoingMessage)"/>) and only then
    /// advances the counter. Completes after every earlier append of this log has completed.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="onStored">
    /// Runs once it is stored, in seq order with the other appends' (where the caller pushes it), with
    /// <paramref name="originSessionId"/>: a callback the caller keeps, rather than a closure per message.
    /// </param>
    /// <param name="originSessionId">The session that sent the message (its pushes skip it), handed to <paramref name="onStored"/>.</param>
    /// <param name="reply">
    /// When the sender does not wait for the returned task: where its answer goes, stored or refused. The task then
    /// never faults (a refusal completes it with null), since nobody observes it.
    /// </param>
    /// <returns>The sender's answer: the message's seq and server time.</returns>
    public Task<SendResult> AppendAsync(StoredMessage message, Action<StoredMessage, string>? onStored = null, string originSessionId = "", SendReply? reply = null) =>
        Start(message, 0, onStored, originSessionId, reply);

    /// <summary>Marks <paramref name="target"/> revoked and stores <paramref name="revoke"/> (a REVOKE message at the next seq) in one transaction.</summary>
    public Task AppendRevokeAsync(StoredMessage target, StoredMessage revoke) =>
        Start(revoke, target.Seq, null, "", null);

    /// <summary>
    /// Starts the append of <paramref name="message"/> and, while it is in flight, keeps it as the one the next append
    /// takes its result in after, and the one a resend of its message waits for. <see cref="AppendInOrderAsync"/> lets
    /// go of both as it completes.
    /// </summary>
    private Task<SendResult> Start(StoredMessage message, long revokedSeq, Action<StoredMessage, string>? onStored, string originSessionId, SendReply? reply)
    {
        // A message without a client message id is never resent, so nothing waits for it by key.
        long? key = message.ClientMsgId.Length > 0 ? RecentSends.KeyOf(message.SenderId, message.ClientMsgId) : null;
        var append = AppendInOrderAsync(message, revokedSeq, onStored, originSessionId, reply, _newestTakenIn, key);
        if (!append.IsCompleted)
        {
            _newestTakenIn = append;
            _newestInFlight = message;
            if (key is { } inFlightKey)
            {
                _inFlight[inFlightKey] = (message, append);
            }
        }

        return append;
    }

    /// <summary>The newest stored message, or null when there is none. Safe to call from an interleaving turn.</summary>
    public async Task<StoredMessage?> GetLastAsync()
    {
        var seq = MaxSeq;
        if (seq == 0 || _last?.Seq == seq)
        {
            return seq == 0 ? null : _last;
        }

        var loaded = await GetAsync(seq);

        // An append may have run while this read was waiting; never replace a newer last message with an older one.
        if (keepsNewest && loaded is not null && (_last is null || _last.Seq < loaded.Seq))
        {
            _last = loaded;
        }

        return loaded;
    }

    /// <summary>The message at <paramref name="seq"/>, or null.</summary>
    public async Task<StoredMessage?> GetAsync(long seq)
    {
        if (seq < 1 || seq > MaxSeq)
        {
            return null;
        }

        if (_last?.Seq == seq)
        {
            return _last;
        }

        try
        {
            return await store.GetAsync(ConversationId, seq);
        }
        catch (Exception ex)
        {
            LogStoreFailed(logger, ex, ConversationId);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The message store is unavailable; retry.");
        }
    }

    /// <summary>A page of history for <paramref name="viewerId"/>, limited to [<paramref name="firstVisible"/>, <paramref name="lastVisible"/>].</summary>
    public async Task<IReadOnlyList<StoredMessage>> ReadAsync(string viewerId, long minSeq, long maxSeq, int limit, long firstVisible, long lastVisible)
    {
        var from = Math.Max(minSeq, firstVisible);
        var to = maxSeq <= 0 || maxSeq > lastVisible ? lastVisible : maxSeq;
        if (from > to)
        {
            return [];
        }

        try
        {
            return await store.ReadRangeAsync(ConversationId, from, to, limit, viewerId);
        }
        catch (Exception ex)
        {
            LogStoreFailed(logger, ex, ConversationId);
            throw new RequestRejectedException(ErrorCode.Unavailable, "History is unavailable; retry.");
        }
    }

    /// <summary>The revoked version of a message, as stored and pushed: same seq, no content.</summary>
    public static StoredMessage Revoked(StoredMessage message) =>
        message with { Status = MessageStatus.Revoked, Content = "", Attachments = [] };

    /// <summary>
    /// The REVOKE message that records <paramref name="revokerId"/> revoking <paramref name="target"/>. Server-made
    /// messages have no client message id (clients must send one), so no client send can ever match them as a resend.
    /// </summary>
    public StoredMessage RevokeOf(StoredMessage target, string revokerId) =>
        Next(revokerId, MessageType.Revoke, $"{{\"seq\":{target.Seq}}}", [], "", 0);

    private void Advance(StoredMessage message)
    {
        MaxSeq = message.Seq;
        if (keepsNewest)
        {
            _last = message;
        }

        if (message.ClientMsgId.Length > 0)
        {
            _recent.Add(message);
        }
    }

    /// <summary>
    /// Queues the write of <paramref name="message"/> now (in seq order) and takes its result in after every earlier
    /// append's (<paramref name="earlier"/>, the newest in flight when it starts), <paramref name="onStored"/>
    /// included. <paramref name="revokedSeq"/>: for a REVOKE message, the seq it revokes, marked in the same
    /// transaction; 0 otherwise. Its task is the one <see cref="Start"/> keeps while it runs.
    /// </summary>
    private async Task<SendResult> AppendInOrderAsync(StoredMessage message, long revokedSeq, Action<StoredMessage, string>? onStored, string originSessionId, SendReply? reply, Task earlier, long? key)
    {
        _assigned = message.Seq;
        var chain = _chain;
        try
        {
            Exception? failure = null;
            try
            {
                await (revokedSeq > 0 ? store.AppendRevokeAsync(revokedSeq, message, chain) : store.AppendAsync(message, chain));
            }
            catch (Exception ex)
            {
                failure = ex;
            }

            // An earlier append's failure is its own: this one only waits for its result to be taken in.
            await earlier.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
            if (failure is null)
            {
                Advance(message);
                onStored?.Invoke(message, originSessionId);
                var result = new SendResult { Seq = message.Seq, ServerTimeMs = message.ServerTimeMs };
                reply?.Answer(result);
                return result;
            }

            var refusal = Rejected(failure, message, chain);
            if (reply is { } to)
            {
                to.Refuse(refusal);
                return null!;
            }

            throw refusal;
        }
        finally
        {
            if (key is { } inFlightKey && _inFlight.TryGetValue(inFlightKey, out var flight) && ReferenceEquals(flight.Message, message))
            {
                _inFlight.Remove(inFlightKey);
            }

            if (ReferenceEquals(_newestInFlight, message))
            {
                // No append started after this one: the next has nothing to wait for.
                _newestTakenIn = Task.CompletedTask;
                _newestInFlight = null;
            }
        }
    }

    private RequestRejectedException Rejected(Exception failure, StoredMessage message, long chain)
    {
        if (failure is SeqTakenException)
        {
            // Another activation stored this seq: this one's counter is stale. Let a fresh
            // activation reload it from the store; the client's resend then gets the next seq.
            LogSeqTaken(logger, failure, ConversationId, message.Seq);
            onStaleCounter();
            return new RequestRejectedException(ErrorCode.Unavailable, "The message was not stored; resend it.");
        }

        if (chain == _chain)
        {
            // The first failure of this chain: the store fails the chain's later appends, so count on from the newest
            // stored message (every earlier append has been taken in) in a new chain.
            _chain = AppendChains.Next();
            _assigned = MaxSeq;
        }

        if (failure is not BrokenChainException)
        {
            LogStoreFailed(logger, failure, ConversationId);
        }

        return new RequestRejectedException(ErrorCode.Unavailable, "The message was not stored; resend it.");
    }

    [LoggerMessage(300, LogLevel.Warning, "Message store call failed for conversation {ConversationId}")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string conversationId);

    [LoggerMessage(301, LogLevel.Error, "Seq {Seq} of conversation {ConversationId} was already stored; deactivating to reload the counter")]
    private static partial void LogSeqTaken(ILogger logger, Exception exception, string conversationId, long seq);
}
