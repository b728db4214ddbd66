using Google.Protobuf;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>
/// Group and revoke requests the server must refuse: each gets an error frame answering that request, with a code,
/// the session goes on, and nothing stored changes.
/// </summary>
[Collection(SharedServerCollection.Name)]
public sealed class GroupBadInputTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Sending_to_a_group_you_are_not_in_or_have_left_is_refused_and_stores_nothing()
    {
        await using var owner = await ChatUser.ConnectAsync(Server, "bg-owner");
        var group = (await owner.Client.CreateGroupAsync("closed", ["bg-leaver"], groupId: "bad-send")).Group;
        await using var stranger = await RawConnection.LoggedInAsync(Server, "bg-stranger");
        await using var leaver = await RawConnection.LoggedInAsync(Server, "bg-leaver");
        await RequestAsync(leaver, CommandCode.LeaveGroup, new LeaveGroupRequest { GroupId = group.GroupId });

        var notIn = await ErrorAsync(stranger, CommandCode.SendMessage, Text(group.ConversationId, "let me in"));
        var afterLeaving = await ErrorAsync(leaver, CommandCode.SendMessage, Text(group.ConversationId, "one more thing"));

        Assert.Equal((uint)ErrorCode.NotMember, notIn.Code);
        Assert.Equal((uint)ErrorCode.NotMember, afterLeaving.Code);
        var history = await owner.Client.PullMessagesAsync(group.ConversationId, limit: 100);
        Assert.Equal([MessageType.GroupEvent, MessageType.GroupEvent], history.Messages.Select(m => m.Type));
    }

    [Fact]
    public async Task A_plain_member_can_neither_remove_members_nor_revoke_someone_elses_message()
    {
        await using var owner = await ChatUser.ConnectAsync(Server, "bp-owner");
        var group = (await owner.Client.CreateGroupAsync("ranks", ["bp-member", "bp-other"], groupId: "bad-perm")).Group;
        var ownersMessage = await owner.Client.SendTextAsync(group.ConversationId, "owner speaks").WaitAsync(TimeSpan.FromSeconds(15));
        await using var member = await RawConnection.LoggedInAsync(Server, "bp-member");

        var remove = await ErrorAsync(member, CommandCode.RemoveGroupMembers, new RemoveGroupMembersRequest { GroupId = group.GroupId, UserIds = { "bp-other" } });
        var revoke = await ErrorAsync(member, CommandCode.RevokeMessage, new RevokeMessageRequest { ConversationId = group.ConversationId, Seq = ownersMessage.Seq });
        var promote = await ErrorAsync(member, CommandCode.SetGroupRole, new SetGroupRoleRequest { GroupId = group.GroupId, UserId = "bp-member", Role = GroupRole.Admin });
        var dissolve = await ErrorAsync(member, CommandCode.DissolveGroup, new DissolveGroupRequest { GroupId = group.GroupId });

        Assert.All(new[] { remove, revoke, promote, dissolve }, e => Assert.Equal((uint)ErrorCode.PermissionDenied, e.Code));
        var info = await owner.Client.GetGroupAsync(group.GroupId);
        Assert.Equal((3, false), (info.MemberTotal, info.Group.Dissolved));
        Assert.All(info.Members.Where(m => m.UserId != "bp-owner"), m => Assert.Equal(GroupRole.Member, m.Role));
        var history = await owner.Client.PullMessagesAsync(group.ConversationId, limit: 100);
        Assert.Equal(("owner speaks", MessageStatus.Normal), (history.Messages[^1].Content, history.Messages[^1].Status));
    }

    [Fact]
    public async Task A_member_page_past_the_end_and_an_unknown_group_id_are_refused()
    {
        await using var owner = await ChatUser.ConnectAsync(Server, "bu-owner");
        var group = (await owner.Client.CreateGroupAsync("small", ["bu-member"], groupId: "bad-page")).Group;
        await using var raw = await RawConnection.LoggedInAsync(Server, "bu-owner");

        var pastTheEnd = await ErrorAsync(raw, CommandCode.GetGroup, new GetGroupRequest { GroupId = group.GroupId, MemberOffset = 2, MemberLimit = 10 });
        var unknown = await ErrorAsync(raw, CommandCode.GetGroup, new GetGroupRequest { GroupId = "no-such-group" });
        var unknownAdd = await ErrorAsync(raw, CommandCode.AddGroupMembers, new AddGroupMembersRequest { GroupId = "no-such-group", UserIds = { "bu-member" } });
        var malformed = await ErrorAsync(raw, CommandCode.JoinGroup, new JoinGroupRequest { GroupId = "not a group!" });
        var unknownConversation = await ErrorAsync(raw, CommandCode.SendMessage, Text("g:no-such-group", "hello?"));

        Assert.Equal((uint)ErrorCode.InvalidArgument, pastTheEnd.Code);
        Assert.Equal([ErrorCode.GroupNotFound, ErrorCode.GroupNotFound, ErrorCode.GroupNotFound, ErrorCode.ConversationNotFound],
            new[] { unknown, unknownAdd, malformed, unknownConversation }.Select(e => (ErrorCode)e.Code));
        var lastPage = await owner.Client.GetGroupAsync(group.GroupId, memberOffset: 1, memberLimit: 10);
        Assert.Equal((2, "bu-member"), (lastPage.MemberTotal, lastPage.Members.Single().UserId));
    }

    [Fact]
    public async Task Revoking_after_the_window_is_refused_but_an_admin_still_may()
    {
        // A server whose window is zero: every revoke by a plain sender comes too late.
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string?> { ["Messaging:RevokeWindow"] = "00:00:00" });
        await using var owner = await ChatUser.ConnectAsync(server, "late-owner");
        var group = (await owner.Client.CreateGroupAsync("slow", ["late-member"], groupId: "late-revoke")).Group;
        await using var member = await RawConnection.ConnectAsync(server.Edge);
        await member.LoginAsync("late-member", server.TokenFor("late-member"));
        var sent = SendMessageResponse.Parser.ParseFrom(await RequestAsync(member, CommandCode.SendMessage, Text(group.ConversationId, "too late to take back")));

        var tooLate = await ErrorAsync(member, CommandCode.RevokeMessage, new RevokeMessageRequest { ConversationId = group.ConversationId, Seq = sent.Seq });

        Assert.Equal((uint)ErrorCode.RevokeWindowExpired, tooLate.Code);
        Assert.Equal(MessageStatus.Normal, (await owner.Client.PullMessagesAsync(group.ConversationId, minSeq: sent.Seq)).Messages.Single().Status);
        Assert.True((await owner.Client.RevokeAsync(group.ConversationId, sent.Seq)).RevokeSeq > sent.Seq);
    }

    private static SendMessageRequest Text(string conversationId, string text) => new()
    {
        ConversationId = conversationId,
        ClientMsgId = Guid.NewGuid().ToString(),
        Type = MessageType.Text,
        Content = text,
    };

    /// <summary>Sends a request and returns the body of its (successful) answer.</summary>
    private static async Task<byte[]> RequestAsync(RawConnection client, CommandCode command, IMessage body)
    {
        var id = await client.SendAsync(command, body);
        var (header, answer) = await client.ReadResponseAsync(id);
        Assert.False(header.IsError, header.IsError ? ErrorBody.Parser.ParseFrom(answer).Reason : "");
        return answer;
    }

    /// <summary>Sends a request that must fail: the error frame answers that command and request id, and the session goes on.</summary>
    private static async Task<ErrorBody> ErrorAsync(RawConnection client, CommandCode command, IMessage body)
    {
        var id = await client.SendAsync(command, body);
        var (header, answer) = await client.ReadResponseAsync(id);
        Assert.True(header.IsError, $"{command} should have failed");
        Assert.Equal((command, id), (header.Command, header.RequestId));
        var error = ErrorBody.Parser.ParseFrom(answer);
        Assert.False(string.IsNullOrEmpty(error.Reason));
        await RequestAsync(client, CommandCode.Heartbeat, new HeartbeatRequest());
        return error;
    }
}
