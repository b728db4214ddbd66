using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using static ImOrleans.Grains.Tests.TestExtensions;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains.Tests;

/// <summary>Message types (R18), revoke and delete (R19), and business notices (R11) at the grain level.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MessageFeatureTests(ClusterFixture fixture)
{
    private static readonly AttachmentInfo Recording = new() { Id = "a1", Type = "audio/aac", Name = "hi.aac", Url = "https://cdn.example/hi.aac", Size = 1234 };

    [Fact]
    public async Task Each_message_type_is_checked_and_a_bad_one_is_not_stored()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var chat = fixture.Conversation(Identifiers.SingleConversation(alice, bob));

        OutgoingMessage[] bad =
        [
            Text("") ,
            Text("") with { Type = MessageType.Voice },
            Text("") with { Type = MessageType.Voice, Attachments = [Recording, Recording] },
            Text("") with { Type = MessageType.Image },
            Text("") with { Type = MessageType.File, Attachments = [Recording with { Url = "ftp://x/y" }] },
            Text("") with { Type = MessageType.Video, Attachments = [Recording with { Size = -1 }] },
            Text("{\"lat\":91,\"lng\":0}") with { Type = MessageType.Location },
            Text("somewhere") with { Type = MessageType.Location },
            Text("{\"userId\":\"no spaces allowed\"}") with { Type = MessageType.Card },
            Text("tip") with { Type = MessageType.Revoke },
            Text("tip") with { Type = MessageType.GroupEvent },
            Text("channel") with { Type = MessageType.ChannelNotice },
            Text("x") with { Attachments = Enumerable.Repeat(Recording, 10).ToList() },
        ];
        foreach (var message in bad)
        {
            var error = await Assert.ThrowsAsync<RequestRejectedException>(() => chat.Send(alice, message).WithDeadline());
            Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        }

        Assert.Equal(0, (await chat.Pull(alice, 0, 0, 0).WithDeadline()).MaxSeq);

        OutgoingMessage[] good =
        [
            Text("hello"),
            Text("") with { Type = MessageType.Voice, Attachments = [Recording] },
            Text("look") with { Type = MessageType.Image, Attachments = [Recording with { Type = "image/png", Url = "https://cdn.example/p.png" }] },
            Text("{\"lat\":31.23,\"lng\":121.47,\"name\":\"Bund\"}") with { Type = MessageType.Location },
            Text("{\"userId\":\"carol\",\"name\":\"Carol\"}") with { Type = MessageType.Card },
            Text("") with { Type = MessageType.PassThrough },
        ];
        foreach (var message in good)
        {
            await chat.Send(alice, message).WithDeadline();
        }

        var stored = (await chat.Pull(bob, 0, 0, 0).WithDeadline()).Messages;
        Assert.Equal(good.Select(m => m.Type), stored.Select(m => m.Type));
        Assert.Equal(Recording, stored[1].Attachments.Single());
    }

    [Fact]
    public async Task The_sender_revokes_within_the_window_and_both_sides_see_it()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var bobPhone = await TestSession.ConnectAsync(fixture, bob, "phone");
        var chat = fixture.Conversation(Identifiers.SingleConversation(alice, bob));
        var sent = await chat.Send(alice, Text("oops")).WithDeadline();
        await bobPhone.NextMessageAsync();

        Assert.Equal(ErrorCode.PermissionDenied, (await Assert.ThrowsAsync<RequestRejectedException>(() => chat.Revoke(bob, sent.Seq).WithDeadline())).Code);
        Assert.Equal(ErrorCode.MessageNotFound, (await Assert.ThrowsAsync<RequestRejectedException>(() => chat.Revoke(alice, 42).WithDeadline())).Code);
        var revoked = await chat.Revoke(alice, sent.Seq).WithDeadline();
        var again = await chat.Revoke(alice, sent.Seq).WithDeadline();

        Assert.Equal((2L, 0L), (revoked.RevokeSeq, again.RevokeSeq));
        // Two pushes, in either order (pushes are best effort and unordered): the changed message and the REVOKE record.
        var pushed = new[] { await bobPhone.NextMessageAsync(), await bobPhone.NextMessageAsync() }.OrderBy(m => m.Seq).ToArray();
        Assert.Equal((sent.Seq, MessageStatus.Revoked, ""), (pushed[0].Seq, pushed[0].Status, pushed[0].Content));
        Assert.Equal((2L, MessageType.Revoke, alice), (pushed[1].Seq, pushed[1].Type, pushed[1].SenderId));
        var history = await chat.Pull(bob, 0, 0, 0).WithDeadline();
        Assert.Equal([MessageStatus.Revoked, MessageStatus.Normal], history.Messages.Select(m => m.Status));
    }

    [Fact]
    public async Task Deleting_hides_a_message_for_the_deleter_only_on_all_of_their_devices()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var bobPhone = await TestSession.ConnectAsync(fixture, bob, "phone");
        var bobLaptop = await TestSession.ConnectAsync(fixture, bob, "laptop");
        var conversationId = Identifiers.SingleConversation(alice, bob);
        var chat = fixture.Conversation(conversationId);
        await chat.Send(alice, Text("keep")).WithDeadline();
        var second = await chat.Send(alice, Text("hide me")).WithDeadline();
        for (var i = 0; i < 2; i++)
        {
            await bobPhone.NextMessageAsync();
            await bobLaptop.NextMessageAsync();
        }

        await fixture.User(bob).DeleteMessages(conversationId, [second.Seq]).WithDeadline();

        foreach (var device in new[] { bobPhone, bobLaptop })
        {
            var pushed = await device.NextMessageAsync();
            Assert.Equal((second.Seq, MessageStatus.Deleted), (pushed.Seq, pushed.Status));
        }

        var bobsView = (await chat.Pull(bob, 0, 0, 0).WithDeadline()).Messages;
        Assert.Equal([("keep", MessageStatus.Normal), ("", MessageStatus.Deleted)], bobsView.Select(m => (m.Content, m.Status)));
        var alicesView = (await chat.Pull(alice, 0, 0, 0).WithDeadline()).Messages;
        Assert.Equal(["keep", "hide me"], alicesView.Select(m => m.Content));
        Assert.Equal(ErrorCode.MessageNotFound, (await Assert.ThrowsAsync<RequestRejectedException>(() => fixture.User(bob).DeleteMessages(conversationId, [99]).WithDeadline())).Code);
    }

    [Fact]
    public async Task A_notice_is_stored_once_pushed_to_the_user_and_its_ack_is_recorded()
    {
        var user = NewUser("payer");
        var phone = await TestSession.ConnectAsync(fixture, user, "phone");
        var conversationId = Identifiers.NoticeConversation(user);
        var notices = fixture.Client.GetGrain<IConversationGrain>(conversationId);
        var notice = Text("payment received") with { ClientMsgId = "pay-1", Resend = true };

        var posted = await notices.PostNotice("payments", notice).WithDeadline();
        var repeated = await notices.PostNotice("payments", notice).WithDeadline();

        Assert.Equal((1L, false, 1L, true), (posted.Seq, posted.Duplicate, repeated.Seq, repeated.Duplicate));
        var pushed = await phone.NextMessageAsync();
        Assert.Equal((conversationId, "payments", "payment received"), (pushed.ConversationId, pushed.SenderId, pushed.Content));
        Assert.False((await notices.GetNoticeStatus(1).WithDeadline()).Delivered);
        Assert.Equal(ErrorCode.PermissionDenied, (await Assert.ThrowsAsync<RequestRejectedException>(() => notices.Send(user, Text("reply")).WithDeadline())).Code);

        await notices.AckDelivered(user, 1).WithDeadline();

        var status = await notices.GetNoticeStatus(1).WithDeadline();
        Assert.Equal((true, true, false), (status.Exists, status.Delivered, status.Read));
        Assert.False((await notices.GetNoticeStatus(2).WithDeadline()).Exists);
        var entry = Assert.Single((await fixture.User(user).GetConversations(0, 0).WithDeadline()).Items);
        Assert.Equal((ConversationType.System, 1L), (entry.Type, entry.Unread));
    }
}
