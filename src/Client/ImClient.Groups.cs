using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client;

// Groups (R13): each call is one request; the group's conversation is "g:<group id>" and its messages arrive
// through MessageReceived like any other. Changes answer with the group after the change and the seq of the
// GROUP_EVENT message that records it in the conversation.
public sealed partial class ImClient
{
    /// <summary>
    /// Creates a group with this user as owner and <paramref name="memberIds"/> (at most 100) as members. Pass your own
    /// <paramref name="groupId"/> to make a retry safe: creating it again returns the same group.
    /// </summary>
    /// <exception cref="ImServerException">Refused, e.g. <see cref="ErrorCode.AlreadyExists"/> when someone else took the id.</exception>
    public Task<GroupChangeResponse> CreateGroupAsync(
        string name,
        IEnumerable<string>? memberIds = null,
        GroupJoinPolicy joinPolicy = GroupJoinPolicy.Invite,
        string? avatar = null,
        string? groupId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var request = new CreateGroupRequest { GroupId = groupId ?? "", Name = name, Avatar = avatar ?? "", JoinPolicy = joinPolicy };
        request.MemberIds.AddRange(memberIds ?? []);
        return RequestAsync(CommandCode.CreateGroup, request, GroupChangeResponse.Parser, cancellationToken);
    }

    /// <summary>Group info and one page of members (0x0102): owner, admins, members, by join time. A page past the end is refused.</summary>
    public Task<GetGroupResponse> GetGroupAsync(string groupId, int memberOffset = 0, int memberLimit = 20, CancellationToken cancellationToken = default) =>
        RequestAsync(CommandCode.GetGroup, new GetGroupRequest { GroupId = groupId, MemberOffset = memberOffset, MemberLimit = memberLimit },
            GetGroupResponse.Parser, cancellationToken);

    /// <summary>Adds users (at most 100 per call). Invite-only groups: owner and admins only.</summary>
    public Task<GroupChangeResponse> AddGroupMembersAsync(string groupId, IEnumerable<string> userIds, CancellationToken cancellationToken = default)
    {
        var request = new AddGroupMembersRequest { GroupId = groupId };
        request.UserIds.AddRange(userIds);
        return RequestAsync(CommandCode.AddGroupMembers, request, GroupChangeResponse.Parser, cancellationToken);
    }

    /// <summary>Removes members: the owner removes anyone else, admins remove plain members.</summary>
    public Task<GroupChangeResponse> RemoveGroupMembersAsync(string groupId, IEnumerable<string> userIds, CancellationToken cancellationToken = default)
    {
        var request = new RemoveGroupMembersRequest { GroupId = groupId };
        request.UserIds.AddRange(userIds);
        return RequestAsync(CommandCode.RemoveGroupMembers, request, GroupChangeResponse.Parser, cancellationToken);
    }

    /// <summary>Joins an open group; the user sees its messages from the join on.</summary>
    public Task<GroupChangeResponse> JoinGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        RequestAsync(CommandCode.JoinGroup, new JoinGroupRequest { GroupId = groupId }, GroupChangeResponse.Parser, cancellationToken);

    /// <summary>Leaves the group: no more messages; what the user could see stays readable. The owner cannot leave.</summary>
    public Task<GroupChangeResponse> LeaveGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        RequestAsync(CommandCode.LeaveGroup, new LeaveGroupRequest { GroupId = groupId }, GroupChangeResponse.Parser, cancellationToken);

    /// <summary>The owner makes a member an admin or an admin a member.</summary>
    public Task<GroupChangeResponse> SetGroupRoleAsync(string groupId, string userId, GroupRole role, CancellationToken cancellationToken = default) =>
        RequestAsync(CommandCode.SetGroupRole, new SetGroupRoleRequest { GroupId = groupId, UserId = userId, Role = role }, GroupChangeResponse.Parser, cancellationToken);

    /// <summary>The owner hands the group to another member and becomes an admin.</summary>
    public Task<GroupChangeResponse> TransferGroupOwnerAsync(string groupId, string newOwnerId, CancellationToken cancellationToken = default) =>
        RequestAsync(CommandCode.TransferGroupOwner, new TransferGroupOwnerRequest { GroupId = groupId, NewOwnerId = newOwnerId }, GroupChangeResponse.Parser, cancellationToken);

    /// <summary>The owner ends the group: every member quits; history stays readable.</summary>
    public Task<GroupChangeResponse> DissolveGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        RequestAsync(CommandCode.DissolveGroup, new DissolveGroupRequest { GroupId = groupId }, GroupChangeResponse.Parser, cancellationToken);

    /// <summary>Owner and admins change the name, avatar or join policy; null leaves a setting as it is.</summary>
    public Task<GroupChangeResponse> UpdateGroupAsync(
        string groupId, string? name = null, string? avatar = null, GroupJoinPolicy? joinPolicy = null, CancellationToken cancellationToken = default)
    {
        var request = new UpdateGroupRequest { GroupId = groupId };
        if (name is not null)
        {
            request.Name = name;
        }

        if (avatar is not null)
        {
            request.Avatar = avatar;
        }

        if (joinPolicy is { } policy)
        {
            request.JoinPolicy = policy;
        }

        return RequestAsync(CommandCode.UpdateGroup, request, GroupChangeResponse.Parser, cancellationToken);
    }
}
