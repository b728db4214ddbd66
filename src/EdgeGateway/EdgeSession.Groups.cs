using System.Buffers;
using Google.Protobuf;
using ImOrleans.Grains;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EdgeGateway;

// Group commands (0x0102, 0x0104-0x010C): each is one call to the group's grain, acting as the logged-in user.
internal sealed partial class EdgeSession
{
    private static bool IsGroupCommand(CommandCode command) =>
        command is CommandCode.GetGroup or (>= CommandCode.CreateGroup and <= CommandCode.UpdateGroup);

    private async Task<IMessage> HandleGroupRequestAsync(CommandCode command, ReadOnlySequence<byte> body)
    {
        switch (command)
        {
            case CommandCode.GetGroup:
            {
                var request = GetGroupRequest.Parser.ParseFrom(body);
                var page = await Group(request.GroupId).GetMembers(_userId, request.MemberOffset, request.MemberLimit);
                var response = new GetGroupResponse { Group = page.Group.ToWire(), MemberTotal = page.Total };
                response.Members.AddRange(page.Members.Select(m => m.ToWire()));
                return response;
            }

            case CommandCode.CreateGroup:
            {
                var request = CreateGroupRequest.Parser.ParseFrom(body);
                var groupId = request.GroupId.Length > 0 ? request.GroupId : Guid.NewGuid().ToString("N");
                var creation = new GroupCreation
                {
                    Name = request.Name,
                    Avatar = request.Avatar,
                    MemberIds = [.. request.MemberIds],
                    JoinPolicy = request.JoinPolicy,
                };
                return (await Group(groupId).Create(_userId, creation)).ToWire();
            }

            case CommandCode.AddGroupMembers:
            {
                var request = AddGroupMembersRequest.Parser.ParseFrom(body);
                return (await Group(request.GroupId).AddMembers(_userId, [.. request.UserIds])).ToWire();
            }

            case CommandCode.RemoveGroupMembers:
            {
                var request = RemoveGroupMembersRequest.Parser.ParseFrom(body);
                return (await Group(request.GroupId).RemoveMembers(_userId, [.. request.UserIds])).ToWire();
            }

            case CommandCode.JoinGroup:
                return (await Group(JoinGroupRequest.Parser.ParseFrom(body).GroupId).Join(_userId)).ToWire();
            case CommandCode.LeaveGroup:
                return (await Group(LeaveGroupRequest.Parser.ParseFrom(body).GroupId).Leave(_userId)).ToWire();
            case CommandCode.SetGroupRole:
            {
                var request = SetGroupRoleRequest.Parser.ParseFrom(body);
                return (await Group(request.GroupId).SetRole(_userId, request.UserId, request.Role)).ToWire();
            }

            case CommandCode.TransferGroupOwner:
            {
                var request = TransferGroupOwnerRequest.Parser.ParseFrom(body);
                return (await Group(request.GroupId).TransferOwnership(_userId, request.NewOwnerId)).ToWire();
            }

            case CommandCode.DissolveGroup:
                return (await Group(DissolveGroupRequest.Parser.ParseFrom(body).GroupId).Dissolve(_userId)).ToWire();
            case CommandCode.UpdateGroup:
            {
                var request = UpdateGroupRequest.Parser.ParseFrom(body);
                var update = new GroupUpdate
                {
                    Name = request.HasName ? request.Name : null,
                    Avatar = request.HasAvatar ? request.Avatar : null,
                    JoinPolicy = request.HasJoinPolicy ? request.JoinPolicy : null,
                };
                return (await Group(request.GroupId).Update(_userId, update)).ToWire();
            }

            default:
                throw new InvalidOperationException($"no handler for {command}");
        }
    }

    /// <summary>The group's grain; ids that cannot name a group are refused before any grain is activated.</summary>
    private IGroupGrain Group(string groupId)
    {
        if (string.IsNullOrEmpty(groupId))
        {
            throw new RequestRejectedException(ErrorCode.InvalidArgument, "group_id is required");
        }

        if (!Identifiers.IsValidGroupId(groupId))
        {
            throw new RequestRejectedException(ErrorCode.GroupNotFound, $"group '{Truncate(groupId)}' does not exist");
        }

        return _grains.GetGrain<IGroupGrain>(GrainKeys.Group(groupId));
    }
}
