using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using static ImOrleans.Grains.Tests.TestExtensions;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains.Tests;

/// <summary>Groups at the grain level: members, roles, init seqs, online-only fan-out and group receipts.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GroupTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_message_is_stored_once_pushed_to_online_members_and_never_wakes_offline_ones()
    {
        var (x, a, b, c, d) = (NewUser("x"), NewUser("a"), NewUser("b"), NewUser("c"), NewUser("d"));
        var xPhone = await TestSession.ConnectAsync(fixture, x, "phone");
        var aPhone = await TestSession.ConnectAsync(fixture, a, "phone");
        var bPhone = await TestSession.ConnectAsync(fixture, b, "phone");
        var group = NewGroup(out var conversationId);
        var created = await group.Create(x, new GroupCreation { Name = "five", MemberIds = [a, b, c, d] }).WithDeadline();
        Assert.Equal((1L, 5), (created.EventSeq, created.Group.MemberCount));
        foreach (var online in new[] { xPhone, aPhone, bPhone })
        {
            Assert.Equal(MessageType.GroupEvent, (await online.NextMessageAsync()).Type);
        }

        // C and D are offline: once their grains are gone, a group message must not bring them back.
        await fixture.Cluster.DeactivateAsync(fixture.User(c)).WithDeadline();
        await fixture.Cluster.DeactivateAsync(fixture.User(d)).WithDeadline();

        var sent = await group.Send(x, Text("hello all")).WithDeadline();

        Assert.Equal(2, sent.Seq);
        foreach (var online in new[] { aPhone, bPhone, xPhone })
        {
            var pushed = await online.NextMessageAsync();
            Assert.Equal((conversationId, 2L, "hello all"), (pushed.ConversationId, pushed.Seq, pushed.Content));
        }

        var activeUsers = await fixture.Client.GetGrain<IManagementGrain>(0).GetActiveGrains(GrainType.Create("user")).AsTask().WithDeadline();
        Assert.DoesNotContain(activeUsers, id => id.Key.ToString() == GrainKeys.User(c) || id.Key.ToString() == GrainKeys.User(d));

        // Later, C's sync finds it: the list has the group with its max seq, the pull has both messages.
        var cList = await fixture.User(c).GetConversations(0, 0).WithDeadline();
        var entry = Assert.Single(cList.Items);
        Assert.Equal((conversationId, ConversationType.Group, "five", 2L, 1L), (entry.ConversationId, entry.Type, entry.Name, entry.MaxSeq, entry.InitSeq));
        var page = await group.Pull(c, 0, 0, 0).WithDeadline();
        Assert.Equal([1L, 2L], page.Messages.Select(m => m.Seq));
    }

    [Fact]
    public async Task A_member_who_joins_later_sees_nothing_before_their_init_seq()
    {
        var (owner, early, late) = (NewUser("owner"), NewUser("early"), NewUser("late"));
        var group = NewGroup(out _);
        await group.Create(owner, new GroupCreation { Name = "history", MemberIds = [early] }).WithDeadline();
        await group.Send(early, Text("before you came")).WithDeadline();

        var added = await group.AddMembers(owner, [late]).WithDeadline();
        await group.Send(owner, Text("welcome")).WithDeadline();

        Assert.Equal(3, added.EventSeq);
        var page = await group.Pull(late, 0, 0, 0).WithDeadline();
        Assert.Equal(3, page.InitSeq);
        Assert.Equal([3L, 4L], page.Messages.Select(m => m.Seq));
        Assert.Empty((await group.Pull(late, 1, 2, 0).WithDeadline()).Messages);
        var members = await group.GetMembers(owner, 0, 0).WithDeadline();
        Assert.Equal([(owner, GroupRole.Owner, 1L), (early, GroupRole.Member, 1L), (late, GroupRole.Member, 3L)],
            members.Members.Select(m => (m.UserId, m.Role, m.InitSeq)));
    }

    [Fact]
    public async Task A_member_who_leaves_gets_the_leave_event_last_keeps_history_and_shows_quit()
    {
        var (owner, leaver) = (NewUser("owner"), NewUser("leaver"));
        var leaverPhone = await TestSession.ConnectAsync(fixture, leaver, "phone");
        var group = NewGroup(out var conversationId);
        await group.Create(owner, new GroupCreation { Name = "leaving", MemberIds = [leaver] }).WithDeadline();
        await group.Send(owner, Text("still here?")).WithDeadline();

        var left = await group.Leave(leaver).WithDeadline();
        await group.Send(owner, Text("after you left")).WithDeadline();

        Assert.Equal(3, left.EventSeq);
        Assert.Equal([1L, 2L, 3L], new[] { await leaverPhone.NextMessageAsync(), await leaverPhone.NextMessageAsync(), await leaverPhone.NextMessageAsync() }.Select(m => m.Seq));
        var history = await group.Pull(leaver, 0, 0, 0).WithDeadline();
        Assert.Equal([1L, 2L, 3L], history.Messages.Select(m => m.Seq));
        Assert.Equal(3, history.MaxSeq);
        Assert.Equal(ErrorCode.NotMember, (await Rejection(group.Send(leaver, Text("let me back")))).Code);
        var entry = Assert.Single((await fixture.User(leaver).GetConversations(0, 0).WithDeadline()).Items);
        Assert.True(entry.Quit);
        Assert.Equal(3, entry.MaxSeq);
        Assert.Equal(3, entry.LastMessage?.Seq);
    }

    [Fact]
    public async Task Roles_decide_who_may_remove_change_roles_and_revoke()
    {
        var (owner, admin, member, other) = (NewUser("owner"), NewUser("admin"), NewUser("member"), NewUser("other"));
        var group = NewGroup(out _);
        await group.Create(owner, new GroupCreation { Name = "roles", MemberIds = [admin, member, other] }).WithDeadline();
        await group.SetRole(owner, admin, GroupRole.Admin).WithDeadline();
        var byMember = await group.Send(member, Text("mine")).WithDeadline();

        Assert.Equal(ErrorCode.PermissionDenied, (await Rejection(group.RemoveMembers(member, [other]))).Code);
        Assert.Equal(ErrorCode.PermissionDenied, (await Rejection(group.SetRole(admin, member, GroupRole.Admin))).Code);
        Assert.Equal(ErrorCode.PermissionDenied, (await Rejection(group.RemoveMembers(admin, [owner]))).Code);
        Assert.Equal(ErrorCode.PermissionDenied, (await Rejection(group.Revoke(other, byMember.Seq))).Code);
        Assert.Equal(ErrorCode.PermissionDenied, (await Rejection(group.Leave(owner))).Code);
        Assert.Equal(ErrorCode.PermissionDenied, (await Rejection(group.Send(member, Text("notice") with { Type = MessageType.ChannelNotice }))).Code);
        Assert.Equal(4, (await group.GetInfo(owner).WithDeadline()).MemberCount);

        var revoked = await group.Revoke(admin, byMember.Seq).WithDeadline();
        var removed = await group.RemoveMembers(admin, [other]).WithDeadline();
        await group.TransferOwnership(owner, admin).WithDeadline();

        var page = await group.Pull(owner, byMember.Seq, 0, 0).WithDeadline();
        Assert.Equal(MessageStatus.Revoked, page.Messages[0].Status);
        Assert.Equal("", page.Messages[0].Content);
        Assert.Equal((MessageType.Revoke, $"{{\"seq\":{byMember.Seq}}}"), (page.Messages[1].Type, page.Messages[1].Content));
        Assert.Equal(revoked.RevokeSeq, page.Messages[1].Seq);
        Assert.Equal([other], removed.UserIds);
        var info = await group.GetInfo(owner).WithDeadline();
        Assert.Equal((admin, GroupRole.Admin, 3), (info.OwnerId, info.MyRole, info.MemberCount));
    }

    [Fact]
    public async Task Bad_requests_change_nothing()
    {
        var (owner, member, stranger) = (NewUser("owner"), NewUser("member"), NewUser("stranger"));
        var group = NewGroup(out _);
        await group.Create(owner, new GroupCreation { Name = "strict", MemberIds = [member] }).WithDeadline();
        var unknown = NewGroup(out _);

        Assert.Equal(ErrorCode.GroupNotFound, (await Rejection(unknown.GetInfo(owner))).Code);
        Assert.Equal(ErrorCode.ConversationNotFound, (await Rejection(unknown.Send(owner, Text("anyone?")))).Code);
        Assert.Equal(ErrorCode.NotMember, (await Rejection(group.Send(stranger, Text("hi")))).Code);
        Assert.Equal(ErrorCode.NotMember, (await Rejection(group.Pull(stranger, 0, 0, 0))).Code);
        Assert.Equal(ErrorCode.PermissionDenied, (await Rejection(group.Join(stranger))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await Rejection(group.GetMembers(owner, 2, 10))).Code);
        Assert.Equal(ErrorCode.AlreadyExists, (await Rejection(group.Create(stranger, new GroupCreation { Name = "mine" }))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await Rejection(group.AddMembers(owner, ["not valid!"]))).Code);

        var info = await group.GetInfo(owner).WithDeadline();
        Assert.Equal((2, owner, "strict"), (info.MemberCount, info.OwnerId, info.Name));
        Assert.Equal(1, (await group.Pull(owner, 0, 0, 0).WithDeadline()).MaxSeq);
    }

    [Fact]
    public async Task Open_groups_take_joiners_a_rejoiner_starts_again_and_a_dissolved_group_keeps_its_history()
    {
        var (owner, joiner) = (NewUser("owner"), NewUser("joiner"));
        var group = NewGroup(out var conversationId);
        await group.Create(owner, new GroupCreation { Name = "club", JoinPolicy = GroupJoinPolicy.Open }).WithDeadline();

        var joined = await group.Join(joiner).WithDeadline();
        var again = await group.Join(joiner).WithDeadline();
        await group.Leave(joiner).WithDeadline();
        await group.Send(owner, Text("while you were away")).WithDeadline();
        var rejoined = await group.Join(joiner).WithDeadline();
        var renamed = await group.Update(owner, new GroupUpdate { Name = "club 2", JoinPolicy = GroupJoinPolicy.Invite }).WithDeadline();
        var dissolved = await group.Dissolve(owner).WithDeadline();

        Assert.Equal((2L, 0L, 5L), (joined.EventSeq, again.EventSeq, rejoined.EventSeq));
        Assert.Equal(("club 2", GroupJoinPolicy.Invite), (renamed.Group.Name, renamed.Group.JoinPolicy));
        Assert.Equal((true, 0), (dissolved.Group.Dissolved, dissolved.Group.MemberCount));
        var history = await group.Pull(joiner, 0, 0, 0).WithDeadline();
        Assert.Equal([5L, 6L, 7L], history.Messages.Select(m => m.Seq));
        Assert.Equal(ErrorCode.NotMember, (await Rejection(group.Send(owner, Text("anyone left?")))).Code);
        Assert.Equal(ErrorCode.GroupNotFound, (await Rejection(group.Join(NewUser("late")))).Code);
        var entry = Assert.Single((await fixture.User(joiner).GetConversations(0, 0).WithDeadline()).Items);
        Assert.Equal((conversationId, 5L), (entry.ConversationId, entry.InitSeq));
    }

    [Fact]
    public async Task A_sender_asks_how_many_members_have_read_a_message()
    {
        var (sender, r1, r2, r3) = (NewUser("sender"), NewUser("r1"), NewUser("r2"), NewUser("r3"));
        var r1Phone = await TestSession.ConnectAsync(fixture, r1, "phone");
        var r2Phone = await TestSession.ConnectAsync(fixture, r2, "phone");
        var group = NewGroup(out var conversationId);
        await group.Create(sender, new GroupCreation { Name = "receipts", MemberIds = [r1, r2, r3] }).WithDeadline();
        var sent = await group.Send(sender, Text("read me")).WithDeadline();
        foreach (var phone in new[] { r1Phone, r2Phone })
        {
            await phone.NextMessageAsync();
            await phone.NextMessageAsync(); // The user grain has taken the message in once it pushed it.
        }

        await fixture.User(r1).MarkRead(conversationId, sent.Seq).WithDeadline();
        await fixture.User(r2).MarkRead(conversationId, sent.Seq - 1).WithDeadline();

        // The read reaches the group one-way, so ask until it shows (or the deadline passes).
        var count = await PollAsync(() => group.GetReadCount(sender, sent.Seq), c => c.Read == 1);
        Assert.Equal((1, 2), (count.Read, count.Unread));
        Assert.Equal(ErrorCode.MessageNotFound, (await Rejection(group.GetReadCount(sender, 99))).Code);
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (true)
        {
            var value = await read().WithDeadline();
            if (done(value) || deadline.IsCancellationRequested)
            {
                return value;
            }

            await Task.Yield();
        }
    }

    private IGroupGrain NewGroup(out string conversationId)
    {
        conversationId = Identifiers.GroupConversation("grp-" + Guid.NewGuid().ToString("N")[..12]);
        return fixture.Client.GetGrain<IGroupGrain>(conversationId);
    }

    private static Task<RequestRejectedException> Rejection(Task task) => Assert.ThrowsAsync<RequestRejectedException>(() => task.WithDeadline());
}
