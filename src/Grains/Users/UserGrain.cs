using ImOrleans.Grains.Hosting;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImOrleans.Grains;

/// <summary>
/// A user's conversation records (this file), read state and conversation list (UserGrain.ReadState.cs)
/// and live sessions (UserGrain.Sessions.cs). Max seq and last message per conversation are in memory:
/// loaded from the store on activation and kept current by <see cref="OnMessage"/>.
/// </summary>
[GrainType("user")]
internal sealed partial class UserGrain(
    [PersistentState("user", StorageNames.Grains)] IPersistentState<UserState> state,
    IMessageStore store,
    TimeProvider time,
    IOptions<UserGrainOptions> options,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private readonly Dictionary<string, StoredMessage> _lastMessages = new(StringComparer.Ordinal);
    private string _userId = "";

    /// <summary>State changed in memory but not yet written (read seq of own sends, last seen): flushed by the timer and on deactivation.</summary>
    private bool _dirty;

    private Dictionary<string, ConversationRecord> Conversations => state.State.Conversations;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _userId = key.StartsWith(GrainKeys.UserPrefix, StringComparison.Ordinal) ? GrainKeys.UserIdOf(key) : key;
        foreach (var (conversationId, last) in await store.GetLatestAsync(Conversations.Keys))
        {
            _lastMessages[conversationId] = last;
        }

        StartMaintenanceTimer();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            await TryFlushAsync();
        }
    }

    public async Task EnsureConversation(ConversationMembership membership)
    {
        if (Conversations.ContainsKey(membership.ConversationId))
        {
            return;
        }

        var initSeq = Math.Max(1, membership.InitSeq);
        Conversations[membership.ConversationId] = new ConversationRecord
        {
            ConversationId = membership.ConversationId,
            Type = membership.Type,
            PeerId = membership.PeerId,
            Name = membership.Name,
            InitSeq = initSeq,
            ReadSeq = initSeq - 1,
        };
        try
        {
            await WriteStateAsync();
        }
        catch
        {
            // Not durable, so not a member yet: the caller retries and must find it absent.
            Conversations.Remove(membership.ConversationId);
            throw;
        }
    }

    public async Task OnMessage(StoredMessage message)
    {
        if (!Conversations.TryGetValue(message.ConversationId, out var record))
        {
            if (RecordFromId(message.ConversationId) is not { } added)
            {
                LogForeignMessage(logger, _userId, message.ConversationId);
                return;
            }

            Conversations[message.ConversationId] = record = added;
            await TryFlushAsync();
        }

        if (!_lastMessages.TryGetValue(message.ConversationId, out var last) || message.Seq > last.Seq)
        {
            _lastMessages[message.ConversationId] = message;
        }

        if (message.SenderId == _userId && message.Seq > record.ReadSeq)
        {
            record.ReadSeq = message.Seq; // Your own message is read.
            _dirty = true;
        }

        Push(message, static (observer, m) => observer.OnMessage(m));
    }

    /// <summary>A record for a conversation first heard of through a message; null if the id names no conversation of this user.</summary>
    private ConversationRecord? RecordFromId(string conversationId) =>
        Identifiers.PeerOf(conversationId, _userId) is { } peer
            ? new ConversationRecord { ConversationId = conversationId, Type = ConversationType.Single, PeerId = peer, InitSeq = 1 }
            : null;

    private async Task WriteStateAsync()
    {
        await state.WriteStateAsync();
        _dirty = false;
    }

    private async Task TryFlushAsync()
    {
        try
        {
            await WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Kept in memory and retried by the next flush; durability of messages does not depend on it.
            _dirty = true;
            LogStateWriteFailed(logger, ex, _userId);
        }
    }
}
