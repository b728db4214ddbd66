using ImOrleans.Client;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>Group chat as its members see it, over real sockets against the real edge and silo.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class GroupChatTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task The_seed_scenario_online_members_get_it_at_once_offline_ones_on_login_and_nobody_twice()
    {
        // Members x, A, B, C, D; A and B online, C and D offline (seed 001, 3.3).
        await using var x = await ChatUser.ConnectAsync(Server, "seed-x");
        await using var a = await ChatUser.ConnectAsync(Server, "seed-a");
        await using var b = await ChatUser.ConnectAsync(Server, "seed-b");
        var created = await x.Client.CreateGroupAsync("seed group", ["seed-a", "seed-b", "seed-c", "seed-d"], groupId: "seed-group");
        var conversation = created.Group.ConversationId;
        Assert.Equal(("g:seed-group", 5, 1L), (conversation, created.Group.MemberCount, created.EventSeq));

        var sent = await x.Client.SendTextAsync(conversation, "hello everyone").WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(2, sent.Seq);
        foreach (var online in new[] { a, b })
        {
            await online.WaitForMessagesAsync(conversation, 2);
            Assert.Equal([(1L, MessageType.GroupEvent), (2L, MessageType.Text)], online.MessagesIn(conversation).Select(m => (m.Seq, m.Type)));
            Assert.Equal("hello everyone", online.MessagesIn(conversation)[1].Content);
        }

        foreach (var offline in new[] { "seed-c", "seed-d" })
        {
            await using var late = await ChatUser.ConnectAsync(Server, offline);
            await late.WaitForMessagesAsync(conversation, 2);
            var listed = (await late.Client.GetConversationsAsync()).Conversations.Single(c => c.ConversationId == conversation);
            Assert.Equal((ConversationType.Group, "seed group", 2L, 2L), (listed.Type, listed.Name, listed.MaxSeq, listed.Unread));
            Assert.Equal([1L, 2L], late.MessagesIn(conversation).Select(m => m.Seq));
        }

        // Nobody twice: one more message, and every online member still has each seq once.
        await b.Client.SendTextAsync(conversation, "got it").WaitAsync(TimeSpan.FromSeconds(15));
        await a.WaitForMessagesAsync(conversation, 3);
        await x.WaitForMessagesAsync(conversation, 2);
        foreach (var member in new[] { a, b, x })
        {
            var seqs = member.MessagesIn(conversation).Select(m => m.Seq).ToList();
            Assert.Equal(seqs.Distinct(), seqs);
        }
    }

    [Fact]
    public async Task Group_messages_reach_every_device_of_online_members_and_their_lists_and_read_state_keep_up()
    {
        await using var senderPhone = await ChatUser.ConnectAsync(Server, "fo-sender", "phone");
        await using var senderLaptop = await ChatUser.ConnectAsync(Server, "fo-sender", "laptop");
        await using var memberPhone = await ChatUser.ConnectAsync(Server, "fo-member", "phone");
        await using var memberTablet = await ChatUser.ConnectAsync(Server, "fo-member", "tablet");
        var conversation = (await senderPhone.Client.CreateGroupAsync("fan-out", ["fo-member"], groupId: "fan-out")).Group.ConversationId;

        // A device that logs in while the user is already online gets group messages too.
        await using var memberDesktop = await ChatUser.ConnectAsync(Server, "fo-member", "desktop");
        for (var i = 1; i <= 3; i++)
        {
            await senderPhone.Client.SendTextAsync(conversation, $"update {i}").WaitAsync(TimeSpan.FromSeconds(15));
        }

        foreach (var device in new[] { memberPhone, memberTablet, memberDesktop, senderLaptop })
        {
            await device.WaitForMessagesAsync(conversation, 4);
            Assert.Equal(["update 1", "update 2", "update 3"], device.MessagesIn(conversation).Where(m => m.Type == MessageType.Text).Select(m => m.Content));
        }

        // The member's list counts what was pushed to their devices, and marking it read reaches the newest seq.
        var listed = (await memberPhone.Client.GetConversationsAsync()).Conversations.Single(c => c.ConversationId == conversation);
        Assert.Equal((4L, 4L, "update 3"), (listed.MaxSeq, listed.Unread, listed.LastMessage.Content));
        var read = await memberPhone.Client.MarkReadAsync(conversation, 4);
        Assert.Equal((4L, 0L), (read.ReadSeq, read.Unread));
    }

    [Fact]
    public async Task A_member_who_joins_later_sees_nothing_before_their_init_seq()
    {
        await using var owner = await ChatUser.ConnectAsync(Server, "jl-owner");
        var group = (await owner.Client.CreateGroupAsync("open house", joinPolicy: GroupJoinPolicy.Open, groupId: "join-later")).Group;
        for (var i = 1; i <= 3; i++)
        {
            await owner.Client.SendTextAsync(group.ConversationId, $"old news {i}").WaitAsync(TimeSpan.FromSeconds(15));
        }

        await using var late = await ChatUser.ConnectAsync(Server, "jl-late");
        var joined = await late.Client.JoinGroupAsync(group.GroupId);
        await owner.Client.SendTextAsync(group.ConversationId, "welcome").WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(5, joined.EventSeq);
        await late.WaitForMessagesAsync(group.ConversationId, 2);
        Assert.Equal([5L, 6L], late.MessagesIn(group.ConversationId).Select(m => m.Seq));
        var history = await late.Client.PullMessagesAsync(group.ConversationId, minSeq: 0, limit: 100);
        Assert.Equal((5L, 6L), (history.InitSeq, history.MaxSeq));
        Assert.Equal([5L, 6L], history.Messages.Select(m => m.Seq));
        Assert.Empty((await late.Client.PullMessagesAsync(group.ConversationId, minSeq: 1, maxSeq: 4)).Messages);
        var listed = (await late.Client.GetConversationsAsync()).Conversations.Single(c => c.ConversationId == group.ConversationId);
        // Their own join event counts as read; the welcome does not.
        Assert.Equal((5L, 6L, 1L), (listed.InitSeq, listed.MaxSeq, listed.Unread));
    }

    [Fact]
    public async Task A_member_who_leaves_stops_receiving_keeps_history_and_sees_the_group_as_quit()
    {
        await using var owner = await ChatUser.ConnectAsync(Server, "lv-owner");
        await using var stayer = await ChatUser.ConnectAsync(Server, "lv-stayer");
        var group = (await owner.Client.CreateGroupAsync("leavers", ["lv-stayer", "lv-leaver"], groupId: "leave-test")).Group;
        var conversation = group.ConversationId;
        await using (var leaver = await ChatUser.ConnectAsync(Server, "lv-leaver"))
        {
            await owner.Client.SendTextAsync(conversation, "before").WaitAsync(TimeSpan.FromSeconds(15));
            await leaver.WaitForMessagesAsync(conversation, 2);

            var left = await leaver.Client.LeaveGroupAsync(group.GroupId);
            await owner.Client.SendTextAsync(conversation, "after").WaitAsync(TimeSpan.FromSeconds(15));

            Assert.Equal(3, left.EventSeq);
            await stayer.WaitForMessagesAsync(conversation, 4);
            await leaver.WaitForMessagesAsync(conversation, 3);
            Assert.Equal([1L, 2L, 3L], leaver.MessagesIn(conversation).Select(m => m.Seq));
            var error = await Assert.ThrowsAsync<ImServerException>(() => leaver.Client.SendTextAsync(conversation, "wait"));
            Assert.Equal(ErrorCode.NotMember, error.Code);
        }

        // Next login: the group is listed as quit, up to where they left, and history stops there.
        await using var again = await ChatUser.ConnectAsync(Server, "lv-leaver", "laptop");
        var listed = (await again.Client.GetConversationsAsync()).Conversations.Single(c => c.ConversationId == conversation);
        Assert.Equal((true, 3L), (listed.Quit, listed.MaxSeq));
        var history = await again.Client.PullMessagesAsync(conversation, limit: 100);
        Assert.Equal([1L, 2L, 3L], history.Messages.Select(m => m.Seq));
        Assert.Equal(2, (await owner.Client.GetGroupAsync(group.GroupId)).MemberTotal);
    }

    [Fact]
    public async Task A_revoke_reaches_online_members_at_once_and_offline_members_when_they_sync()
    {
        await using var owner = await ChatUser.ConnectAsync(Server, "rv-owner");
        await using var sender = await ChatUser.ConnectAsync(Server, "rv-sender");
        var group = (await owner.Client.CreateGroupAsync("revokes", ["rv-sender", "rv-offline"], groupId: "revoke-test")).Group;
        var conversation = group.ConversationId;
        var oops = await sender.Client.SendTextAsync(conversation, "wrong chat!").WaitAsync(TimeSpan.FromSeconds(15));
        var rude = await sender.Client.SendTextAsync(conversation, "something rude").WaitAsync(TimeSpan.FromSeconds(15));
        await owner.WaitForMessagesAsync(conversation, 3);

        var bySender = await sender.Client.RevokeAsync(conversation, oops.Seq);
        var byOwner = await owner.Client.RevokeAsync(conversation, rude.Seq);

        Assert.Equal((4L, 5L), (bySender.RevokeSeq, byOwner.RevokeSeq));
        await owner.WaitUntilAsync(u => u.Updates.Count(m => m.Status == MessageStatus.Revoked) == 2, "both revokes");
        Assert.Equal([oops.Seq, rude.Seq], owner.Updates.Select(m => m.Seq).Order());
        await sender.WaitUntilAsync(u => u.Updates.Any(m => m.Seq == rude.Seq && m.Status == MessageStatus.Revoked), "the owner's revoke");

        await using var offline = await ChatUser.ConnectAsync(Server, "rv-offline");
        await offline.WaitForMessagesAsync(conversation, 5);
        var seen = offline.MessagesIn(conversation);
        Assert.Equal([MessageStatus.Revoked, MessageStatus.Revoked], seen.Where(m => m.Type == MessageType.Text).Select(m => m.Status));
        Assert.All(seen.Where(m => m.Type == MessageType.Text), m => Assert.Equal("", m.Content));
        Assert.Equal([("rv-sender", $"{{\"seq\":{oops.Seq}}}"), ("rv-owner", $"{{\"seq\":{rude.Seq}}}")],
            seen.Where(m => m.Type == MessageType.Revoke).Select(m => (m.SenderId, m.Content)));
    }

    [Fact]
    public async Task The_sender_asks_how_many_members_have_read_a_group_message()
    {
        await using var sender = await ChatUser.ConnectAsync(Server, "rd-sender");
        await using var reader = await ChatUser.ConnectAsync(Server, "rd-reader");
        var group = (await sender.Client.CreateGroupAsync("readers", ["rd-reader", "rd-idle"], groupId: "read-count")).Group;
        var sent = await sender.Client.SendTextAsync(group.ConversationId, "did you read this?").WaitAsync(TimeSpan.FromSeconds(15));
        await reader.WaitForMessagesAsync(group.ConversationId, 2);

        await reader.Client.MarkReadAsync(group.ConversationId, sent.Seq);

        GetReadCountResponse count;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        do
        {
            // The read reaches the group one-way after the mark-read is answered.
            count = await sender.Client.GetReadCountAsync(group.ConversationId, sent.Seq);
        }
        while (count.ReadCount == 0 && !deadline.IsCancellationRequested);

        Assert.Equal((1, 1), (count.ReadCount, count.UnreadCount));
    }

    [Fact]
    public async Task A_member_acks_a_busy_group_about_once_a_second_and_its_last_ack_reaches_the_newest_message()
    {
        await using var link = new FlakyLink(Server.Edge);
        await using var sender = await ChatUser.ConnectAsync(Server, "ga-sender");
        var group = (await sender.Client.CreateGroupAsync("busy", ["ga-member"], groupId: "group-acks")).Group;
        await using var member = await ChatUser.ConnectAsync(Server, "ga-member", tune: o => o with { Endpoints = [link.Endpoint] });
        var started = System.Diagnostics.Stopwatch.GetTimestamp();

        SendMessageResponse last = null!;
        for (var i = 0; i < 40; i++)
        {
            last = await sender.Client.SendTextAsync(group.ConversationId, $"busy {i}").WaitAsync(TimeSpan.FromSeconds(15));
        }

        await member.WaitUntilAsync(u => u.MessagesIn(group.ConversationId).Any(m => m.Seq == last.Seq), "the last group message");

        // The newest position is acked once the interval since the previous ack has passed.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!Acks().Contains(last.Seq))
        {
            await Task.Delay(50, deadline.Token);
        }

        // One ack after the login's sync, then at most one per second (the default GroupAckInterval), not one per message.
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Assert.InRange(Acks().Count, 1, 3 + (int)elapsed.TotalSeconds);

        List<long> Acks() =>
        [
            .. link.Upstream
                .Where(f => f.Command == CommandCode.DeliveryAck)
                .Select(f => DeliveryAckRequest.Parser.ParseFrom(f.Body))
                .Where(a => a.ConversationId == group.ConversationId)
                .Select(a => a.Seq),
        ];
    }
}
