using ImOrleans.Grains.Hosting;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization.Invocation;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

/// <summary>
/// A group (R13): its settings and members (GroupGrain.Membership.cs), its conversation's seq counter and history
/// (GroupGrain.Messages.cs), who of its members is online (GroupGrain.Presence.cs) and its receipts
/// (GroupGrain.Receipts.cs). One grain owns members and seqs so that a member's init seq is fixed in the same turn
/// as the seqs around it. Reads and receipts (which touch neither members nor seqs) interleave; so do sends, with
/// each other only: the <see cref="SendGate"/> runs every other change alone.
/// </summary>
[GrainType("group")]
[MayInterleave(nameof(MayInterleave))]
internal sealed partial class GroupGrain(
    [PersistentState("group", StorageNames.Grains)] IPersistentState<GroupState> state,
    IMessageStore store,
    TimeProvider time,
    IOptions<ConversationOptions> conversationOptions,
    IOptions<GroupOptions> groupOptions,
    IOptions<MessagingOptions> messaging,
    ILogger<GroupGrain> logger) : Grain, IGroupGrain, IIncomingGrainCallFilter
{
    private const int DefaultPageSize = 20;
    private const int MaxPageSize = 100;
    private const int MaxNameLength = 100;
    private const int MaxAvatarLength = 2048;

    /// <summary>Calls that neither change members nor take seqs: they run beside anything.</summary>
    private static readonly HashSet<string> ReadsAndReceipts =
        [nameof(Pull), nameof(GetInfo), nameof(GetMembers), nameof(GetReadCount), nameof(AckDelivered), nameof(OnDelivered), nameof(OnRead)];

    /// <summary>Presence calls are [AlwaysInterleave] already: they only add to or take from the online set.</summary>
    private static readonly HashSet<string> Presence = [nameof(MemberOnline), nameof(KeepOnline), nameof(MemberOffline)];

    private readonly SendGate _gate = new();

    private readonly GroupOptions _options = groupOptions.Value;
    private MessageLog _log = null!;
    private string _id = "";
    private string _groupId = "";

    /// <summary>Members ordered for paging (owner, admins, members; each by join time); rebuilt after a change.</summary>
    private List<string>? _memberOrder;

    private GroupState Group => state.State;

    public static bool MayInterleave(IInvokable request) => request.GetMethodName() is var name && (name == nameof(Send) || ReadsAndReceipts.Contains(name));

    /// <summary>Sends overlap each other; every other call that changes the group waits for them and runs alone.</summary>
    Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        var name = context.MethodName;
        return ReadsAndReceipts.Contains(name) || Presence.Contains(name)
            ? context.Invoke()
            : InvokeThroughGateAsync(context, isSend: name == nameof(Send));
    }

    private async Task InvokeThroughGateAsync(IIncomingGrainCallContext context, bool isSend)
    {
        await (isSend ? _gate.EnterSendAsync() : _gate.EnterChangeAsync());
        try
        {
            await context.Invoke();
        }
        finally
        {
            if (isSend)
            {
                _gate.ExitSend();
            }
            else
            {
                _gate.ExitChange();
            }
        }
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _id = this.GetPrimaryKeyString();
        Identifiers.TryParseGroup(_id, out _groupId);
        _log = new MessageLog(_id, store, time, conversationOptions.Value.RecentSendCapacity, logger, DeactivateOnIdle, keepsNewest: true);
        _positions = new MemberPositions(this, _id, store, time, logger);
        if (Group.Created)
        {
            await _log.LoadAsync();
            await LoadReceiptsAsync();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _positions.FlushAllAsync();

    public Task<GroupSnapshot> GetInfo(string userId)
    {
        RequireCreated();
        return Task.FromResult(Snapshot(userId));
    }

    public Task<GroupMemberPage> GetMembers(string userId, int offset, int limit)
    {
        RequireCreated();
        if (!Group.Members.ContainsKey(userId) && !Group.Former.ContainsKey(userId) && Group.JoinPolicy != GroupJoinPolicy.Open)
        {
            throw new RequestRejectedException(ErrorCode.NotMember, "Only members see the member list of an invite-only group.");
        }

        var total = Group.Members.Count;
        if (offset < 0 || (offset > 0 && offset >= total))
        {
            throw new RequestRejectedException(ErrorCode.InvalidArgument, $"member_offset {offset} is past the end of the list ({total} members).");
        }

        var take = limit == 0 ? DefaultPageSize : Math.Clamp(limit, 1, MaxPageSize);
        _memberOrder ??= [.. Group.Members
            .OrderByDescending(m => m.Value.Role)
            .ThenBy(m => m.Value.JoinedMs)
            .ThenBy(m => m.Key, StringComparer.Ordinal)
            .Select(m => m.Key)];
        var page = _memberOrder.Skip(offset).Take(take).Select(id => Info(id, Group.Members[id])).ToList();
        return Task.FromResult(new GroupMemberPage { Group = Snapshot(userId), Members = page, Total = total });
    }

    private GroupSnapshot Snapshot(string userId) => new()
    {
        GroupId = _groupId,
        ConversationId = _id,
        Name = Group.Name,
        Avatar = Group.Avatar,
        OwnerId = Group.OwnerId,
        JoinPolicy = Group.JoinPolicy,
        MemberCount = Group.Members.Count,
        CreatedMs = Group.CreatedMs,
        Dissolved = Group.Dissolved,
        MyRole = RoleOf(userId),
    };

    private static GroupMemberInfo Info(string userId, GroupMemberRecord record) =>
        new() { UserId = userId, Role = record.Role, InitSeq = record.InitSeq, JoinedMs = record.JoinedMs };

    private GroupRole RoleOf(string userId) => Group.Members.TryGetValue(userId, out var m) ? m.Role : GroupRole.Unspecified;

    private bool IsAdmin(string userId) => RoleOf(userId) is GroupRole.Admin or GroupRole.Owner;

    /// <summary>For group commands: the group exists (it may be dissolved).</summary>
    private void RequireCreated()
    {
        if (!Group.Created)
        {
            throw new RequestRejectedException(ErrorCode.GroupNotFound, $"No group '{_groupId}'.");
        }
    }

    /// <summary>For changes: the group exists, is not dissolved, and the actor is a member.</summary>
    private GroupMemberRecord RequireActiveMember(string userId)
    {
        RequireCreated();
        if (Group.Dissolved)
        {
            throw new RequestRejectedException(ErrorCode.GroupNotFound, $"Group '{_groupId}' was dissolved.");
        }

        return Group.Members.GetValueOrDefault(userId)
            ?? throw new RequestRejectedException(ErrorCode.NotMember, "Not a member of this group.");
    }

    private IUserGrain User(string userId) => GrainFactory.GetGrain<IUserGrain>(GrainKeys.User(userId));

    private static RequestRejectedException Denied(string reason) => new(ErrorCode.PermissionDenied, reason);

    private static RequestRejectedException Invalid(string reason) => new(ErrorCode.InvalidArgument, reason);
}
