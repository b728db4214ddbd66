using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// Members and settings. Every change is recorded by a GROUP_EVENT message in the group conversation. People who
// arrive get init seq = that event's seq (so they see the event, never what came before); people who go keep
// reading up to that event's seq, which is the last message they get.
internal sealed partial class GroupGrain
{
    public async Task<GroupChange> Create(string ownerId, GroupCreation creation)
    {
        if (Group.Created)
        {
            // A retried create (its answer was lost) finds the group its first attempt made.
            return Group.CreatorId == ownerId
                ? Change(ownerId, 0, [])
                : throw new RequestRejectedException(ErrorCode.AlreadyExists, $"Group id '{_groupId}' is taken.");
        }

        if (!Identifiers.IsValidGroupId(_groupId) || !Identifiers.IsValidUserId(ownerId))
        {
            throw Invalid("The group id or owner id is not valid.");
        }

        var name = ValidateName(creation.Name);
        var avatar = ValidateAvatar(creation.Avatar);
        var policy = ValidatePolicy(creation.JoinPolicy);
        var members = creation.MemberIds.Count == 0 ? [] : ValidateUserIds(creation.MemberIds).Where(u => u != ownerId).ToList();
        List<string> everyone = [ownerId, .. members];

        var online = await RecordMembershipAsync(everyone, initSeq: 1, name, avatar);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        Group.Created = true;
        Group.CreatorId = Group.OwnerId = ownerId;
        Group.Name = name;
        Group.Avatar = avatar;
        Group.JoinPolicy = policy;
        Group.CreatedMs = now;
        foreach (var user in everyone)
        {
            Group.Members[user] = new GroupMemberRecord { Role = user == ownerId ? GroupRole.Owner : GroupRole.Member, InitSeq = 1, JoinedMs = now };
        }

        await WriteStateAsync();
        return await AnnounceAsync(ownerId, GroupEvent.Json(GroupEvent.Created, ownerId, members, name: name), everyone, online);
    }

    public Task<GroupChange> AddMembers(string actorId, IReadOnlyList<string> userIds)
    {
        var actor = RequireActiveMember(actorId);
        if (Group.JoinPolicy == GroupJoinPolicy.Invite && actor.Role == GroupRole.Member)
        {
            throw Denied("Only the owner and admins add members to an invite-only group.");
        }

        var added = ValidateUserIds(userIds).Where(u => !Group.Members.ContainsKey(u)).ToList();
        return AdmitAsync(actorId, added, GroupEvent.Added);
    }

    public Task<GroupChange> Join(string userId)
    {
        RequireCreated();
        if (Group.Dissolved)
        {
            throw new RequestRejectedException(ErrorCode.GroupNotFound, $"Group '{_groupId}' was dissolved.");
        }

        if (Group.Members.ContainsKey(userId))
        {
            return Task.FromResult(Change(userId, 0, []));
        }

        if (Group.JoinPolicy != GroupJoinPolicy.Open)
        {
            throw Denied("This group is invite-only: an admin must add you.");
        }

        return AdmitAsync(userId, [userId], GroupEvent.Joined);
    }

    public Task<GroupChange> RemoveMembers(string actorId, IReadOnlyList<string> userIds)
    {
        var actor = RequireActiveMember(actorId);
        if (actor.Role == GroupRole.Member)
        {
            throw Denied("Only the owner and admins remove members.");
        }

        var ids = ValidateUserIds(userIds);
        if (ids.Contains(actorId))
        {
            throw Invalid("To leave the group, use LeaveGroup.");
        }

        var targets = ids.Where(Group.Members.ContainsKey).ToList();
        foreach (var target in targets)
        {
            var role = Group.Members[target].Role;
            if (role == GroupRole.Owner)
            {
                throw Denied("The owner cannot be removed.");
            }

            if (role == GroupRole.Admin && actor.Role != GroupRole.Owner)
            {
                throw Denied($"Only the owner removes admins ('{target}').");
            }
        }

        return ReleaseAsync(actorId, targets, GroupEvent.Removed);
    }

    public Task<GroupChange> Leave(string userId)
    {
        var member = RequireActiveMember(userId);
        if (member.Role == GroupRole.Owner)
        {
            throw Denied("The owner cannot leave: transfer ownership or dissolve the group first.");
        }

        return ReleaseAsync(userId, [userId], GroupEvent.Left);
    }

    public Task<GroupChange> Dissolve(string actorId)
    {
        if (RequireActiveMember(actorId).Role != GroupRole.Owner)
        {
            throw Denied("Only the owner dissolves the group.");
        }

        return ReleaseAsync(actorId, [.. Group.Members.Keys], GroupEvent.Dissolved, dissolve: true);
    }

    private async Task<GroupChange> AdmitAsync(string actorId, List<string> users, string action)
    {
        if (users.Count == 0)
        {
            return Change(actorId, 0, []);
        }

        if (Group.Members.Count + users.Count > _options.MaxMembers)
        {
            throw new RequestRejectedException(ErrorCode.GroupFull, $"A group has at most {_options.MaxMembers} members.");
        }

        var initSeq = _log.MaxSeq + 1;
        var online = await RecordMembershipAsync(users, initSeq, Group.Name, Group.Avatar);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var user in users)
        {
            Group.Members[user] = new GroupMemberRecord { Role = GroupRole.Member, InitSeq = initSeq, JoinedMs = now };
            Group.Former.Remove(user);
        }

        await WriteStateAsync();
        return await AnnounceAsync(actorId, GroupEvent.Json(action, actorId, users), users, online);
    }

    /// <summary>Members leave: the event first (the last message they see), then the membership change.</summary>
    private async Task<GroupChange> ReleaseAsync(string actorId, List<string> users, string action, bool dissolve = false)
    {
        if (users.Count == 0)
        {
            return Change(actorId, 0, []);
        }

        var notice = _log.Next(actorId, MessageType.GroupEvent, GroupEvent.Json(action, actorId, users), [], "", 0);
        await _log.AppendAsync(notice);
        foreach (var user in users)
        {
            Group.Former[user] = new FormerMemberRecord { InitSeq = Group.Members[user].InitSeq, LastSeq = notice.Seq };
            Group.Members.Remove(user);
        }

        Group.Dissolved |= dissolve;
        await WriteStateAsync();

        // Pushed while the leaving members are still in the online set: the event is the last message they get.
        Push(notice);
        foreach (var user in users)
        {
            _online.Remove(user);
            User(user).OnGroupQuit(_id, notice.Seq).Ignore();
        }

        return Change(actorId, notice.Seq, users);
    }

    /// <summary>Stores the event of a change that is already durable, then tells the online members.</summary>
    private async Task<GroupChange> AnnounceAsync(string actorId, string eventJson, List<string> users, IEnumerable<string> nowOnline)
    {
        DrainFanout();
        foreach (var user in nowOnline)
        {
            // Their user grains tell their edges (KeepOnline) as soon as they have recorded the group.
            MarkOnline(user, null);
        }

        var notice = _log.Next(actorId, MessageType.GroupEvent, eventJson, [], "", 0);
        try
        {
            await _log.AppendAsync(notice);
        }
        catch (RequestRejectedException)
        {
            // The change itself is stored; only its record in the conversation is missing. Not worth failing for.
            return Change(actorId, 0, users);
        }

        Push(notice);
        return Change(actorId, notice.Seq, users);
    }

    /// <summary>Every user's grain durably lists the group before the group counts them as members. Returns who is online.</summary>
    private async Task<List<string>> RecordMembershipAsync(List<string> users, long initSeq, string name, string avatar)
    {
        var membership = new ConversationMembership { ConversationId = _id, Type = ConversationType.Group, Name = name, Avatar = avatar, InitSeq = initSeq };
        try
        {
            var online = await Task.WhenAll(users.Select(user => User(user).EnsureConversation(membership)));
            return [.. users.Where((_, i) => online[i])];
        }
        catch (Exception ex)
        {
            // Users that did record it will learn they are not members when they next come online (MemberOnline).
            LogRecordFailed(logger, ex, _id);
            throw new RequestRejectedException(ErrorCode.Unavailable, "The members could not be recorded; retry.");
        }
    }

    private async Task WriteStateAsync()
    {
        _memberOrder = null;
        try
        {
            await state.WriteStateAsync();
            await store.MakeDurableAsync();
        }
        catch (Exception ex)
        {
            // The change is in memory but not stored: drop this activation so the next call starts from what is stored.
            LogStateWriteFailed(logger, ex, _id);
            DeactivateOnIdle();
            throw new RequestRejectedException(ErrorCode.Unavailable, "The group change was not stored; retry.");
        }
    }

    private GroupChange Change(string userId, long eventSeq, List<string> users) =>
        new() { Group = Snapshot(userId), EventSeq = eventSeq, UserIds = users };

    private List<string> ValidateUserIds(IReadOnlyList<string>? userIds)
    {
        if (userIds is null || userIds.Count == 0)
        {
            throw Invalid("user_ids must name at least one user.");
        }

        if (userIds.Count > _options.MaxMembersPerRequest)
        {
            throw Invalid($"At most {_options.MaxMembersPerRequest} users per request.");
        }

        foreach (var id in userIds)
        {
            if (!Identifiers.IsValidUserId(id))
            {
                throw Invalid($"'{id}' is not a valid user id.");
            }
        }

        return [.. userIds.Distinct(StringComparer.Ordinal)];
    }
}
