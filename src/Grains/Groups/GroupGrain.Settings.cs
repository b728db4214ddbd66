using ImOrleans.Protocol.Messages;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// Roles, ownership and settings: changes of a durable state that every member sees through a GROUP_EVENT message.
internal sealed partial class GroupGrain
{
    public async Task<GroupChange> SetRole(string actorId, string userId, GroupRole role)
    {
        if (RequireActiveMember(actorId).Role != GroupRole.Owner)
        {
            throw Denied("Only the owner changes roles.");
        }

        if (role is not (GroupRole.Member or GroupRole.Admin))
        {
            throw Invalid("role must be GROUP_ROLE_MEMBER or GROUP_ROLE_ADMIN (use TransferGroupOwner for the owner).");
        }

        var target = Group.Members.GetValueOrDefault(userId) ?? throw new RequestRejectedException(ErrorCode.NotMember, $"'{userId}' is not a member.");
        if (target.Role == GroupRole.Owner)
        {
            throw Invalid("The owner's role changes only by TransferGroupOwner.");
        }

        if (target.Role == role)
        {
            return Change(actorId, 0, []);
        }

        target.Role = role;
        await WriteStateAsync();
        return await AnnounceAsync(actorId, GroupEvent.Json(GroupEvent.RoleChanged, actorId, [userId], role), [userId], []);
    }

    public async Task<GroupChange> TransferOwnership(string actorId, string newOwnerId)
    {
        var owner = RequireActiveMember(actorId);
        if (owner.Role != GroupRole.Owner)
        {
            throw Denied("Only the owner transfers ownership.");
        }

        if (newOwnerId == actorId)
        {
            return Change(actorId, 0, []);
        }

        var next = Group.Members.GetValueOrDefault(newOwnerId) ?? throw new RequestRejectedException(ErrorCode.NotMember, $"'{newOwnerId}' is not a member.");
        owner.Role = GroupRole.Admin;
        next.Role = GroupRole.Owner;
        Group.OwnerId = newOwnerId;
        await WriteStateAsync();
        return await AnnounceAsync(actorId, GroupEvent.Json(GroupEvent.OwnerChanged, actorId, [newOwnerId], GroupRole.Owner), [newOwnerId], []);
    }

    public async Task<GroupChange> Update(string actorId, GroupUpdate update)
    {
        if (RequireActiveMember(actorId).Role == GroupRole.Member)
        {
            throw Denied("Only the owner and admins change the group's settings.");
        }

        var name = update.Name is null ? null : ValidateName(update.Name);
        var avatar = update.Avatar is null ? null : ValidateAvatar(update.Avatar);
        var policy = update.JoinPolicy is { } p ? ValidatePolicy(p) : (GroupJoinPolicy?)null;
        name = name == Group.Name ? null : name;
        avatar = avatar == Group.Avatar ? null : avatar;
        policy = policy == Group.JoinPolicy ? null : policy;
        if (name is null && avatar is null && policy is null)
        {
            return Change(actorId, 0, []);
        }

        Group.Name = name ?? Group.Name;
        Group.Avatar = avatar ?? Group.Avatar;
        Group.JoinPolicy = policy ?? Group.JoinPolicy;
        await WriteStateAsync();
        var change = await AnnounceAsync(actorId, GroupEvent.Json(GroupEvent.Updated, actorId, name: name, avatar: avatar, joinPolicy: policy), [], []);
        if (name is not null || avatar is not null)
        {
            // Online members' lists follow at once; the others refresh when they come online (MemberOnline).
            var head = new GroupHead { ConversationId = _id, IsMember = true, Name = Group.Name, Avatar = Group.Avatar };
            foreach (var online in _online.Values)
            {
                online.Grain.OnGroupUpdated(head).Ignore();
            }
        }

        return change;
    }

    private static string ValidateName(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength ? throw Invalid($"name must be 1-{MaxNameLength} characters.") : name;

    private static string ValidateAvatar(string? avatar) =>
        (avatar ?? "").Length > MaxAvatarLength ? throw Invalid($"avatar must be at most {MaxAvatarLength} characters.") : avatar ?? "";

    private static GroupJoinPolicy ValidatePolicy(GroupJoinPolicy policy) =>
        Enum.IsDefined(policy) ? policy : throw Invalid("join_policy is not a known policy.");
}
