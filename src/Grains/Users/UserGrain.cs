using ImOrleans.Grains.Hosting;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImOrleans.Grains;

/// <summary>
/// A user's conversation records (this file), read state and conversation list (UserGrain.ReadState.cs), live
/// sessions (UserGrain.Sessions.cs), group memberships and online announcements (UserGrain.Groups.cs) and
/// per-user message settings (UserGrain.Messages.cs), and the 1:1 conversations that push to the user's edges
/// themselves (UserGrain.Watchers.cs). The newest seq and its time per conversation are in memory
/// (<see cref="NewestKnown"/>): loaded from the store on activation, moved by the messages this grain hears of
/// (<see cref="OnMessage"/>: those pushed through it), and read again from the store when the user comes online
/// (groups), asks for the list, marks read or deletes.
/// </summary>
[GrainType("user")]
internal sealed partial class UserGrain(
    [PersistentState("user", StorageNames.Grains)] IPersistentState<UserState> state,
    IMessageStore store,
    TimeProvider time,
    IOptions<UserGrainOptions> options,
    IOptions<GroupOptions> groupOptions,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private readonly Dictionary<string, NewestKnown> _newest = new(StringComparer.Ordinal);
    private string _userId = "";

    /// <summary>State changed in memory but not yet written (read seq of own sends, last seen): flushed by the timer and on deactivation.</summary>
    private bool _dirty;

    private Dictionary<string, ConversationRecord> Conversations => state.State.Conversations;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _userId = key.StartsWith(GrainKeys.UserPrefix, StringComparison.Ordinal) ? GrainKeys.UserIdOf(key) : key;
        _localSessions = ServiceProvider.GetService<ILocalSessions>();
        await ReadNewestAsync(Conversations.Values, askOwnSends: false);

        // A group the user left keeps showing the last message they could see, not what the group says since.
        foreach (var quit in Conversations.Values.Where(r => r.Quit && r.QuitSeq >= r.InitSeq))
        {
            await ReadLeftAtAsync(quit);
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

    public async Task<bool> EnsureConversation(ConversationMembership membership)
    {
        var initSeq = Math.Max(1, membership.InitSeq);
        if (Conversations.TryGetValue(membership.ConversationId, out var existing))
        {
            if (existing.Quit && membership.Type == ConversationType.Group)
            {
                await RejoinAsync(existing, membership, initSeq);
                AnnounceEdgesTo(existing);
            }

            return IsOnline;
        }

        Conversations[membership.ConversationId] = new ConversationRecord
        {
            ConversationId = membership.ConversationId,
            Type = membership.Type,
            PeerId = membership.PeerId,
            Name = membership.Name,
            Avatar = membership.Avatar,
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

        AnnounceEdgesTo(Conversations[membership.ConversationId]);
        return IsOnline;
    }

    public async Task OnMessage(StoredMessage message, string originSessionId)
    {
        if (await RecordOfMessageAsync(message.ConversationId) is not { } record)
        {
            return;
        }

        if (record.Quit && message.Seq > record.QuitSeq)
        {
            return; // Sent after the user left: not theirs to see.
        }

        Observe(message.ConversationId, message.Seq, message.ServerTimeMs);
        if (message.SenderId == _userId)
        {
            ReadOwnMessage(record, message.Seq);
        }

        Push(message, static (observer, m) => observer.OnMessage(m), exceptSessionId: originSessionId);
    }

    public async Task OnOwnSends(string conversationId, long seq)
    {
        if (await RecordOfMessageAsync(conversationId) is { } record)
        {
            ReadOwnMessage(record, seq);
        }
    }

    /// <summary>Your own message is read: the read position moves up to it (written with the next flush).</summary>
    private void ReadOwnMessage(ConversationRecord record, long seq)
    {
        if (seq > record.ReadSeq && !(record.Quit && seq > record.QuitSeq))
        {
            record.ReadSeq = seq;
            _dirty = true;
        }
    }

    /// <summary>The record a message of <paramref name="conversationId"/> belongs to, made if it is a 1:1 or notice conversation of this user; else null.</summary>
    private async Task<ConversationRecord?> RecordOfMessageAsync(string conversationId)
    {
        if (Conversations.TryGetValue(conversationId, out var record))
        {
            return record;
        }

        if (RecordFromId(conversationId) is not { } added)
        {
            LogForeignMessage(logger, _userId, conversationId);
            return null;
        }

        Conversations[conversationId] = added;
        await TryFlushAsync();
        return added;
    }

    /// <summary>
    /// A record for a 1:1 or notice conversation first heard of through a message; null if the id names no such
    /// conversation of this user (groups are recorded only through <see cref="EnsureConversation"/>).
    /// </summary>
    private ConversationRecord? RecordFromId(string conversationId)
    {
        if (Identifiers.PeerOf(conversationId, _userId) is { } peer)
        {
            return new ConversationRecord { ConversationId = conversationId, Type = ConversationType.Single, PeerId = peer, InitSeq = 1 };
        }

        return Identifiers.TryParseNotice(conversationId, out var owner) && owner == _userId
            ? new ConversationRecord { ConversationId = conversationId, Type = ConversationType.System, Name = "Notices", InitSeq = 1 }
            : null;
    }

    private async Task WriteStateAsync()
    {
        await state.WriteStateAsync();
        await store.MakeDurableAsync();
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
