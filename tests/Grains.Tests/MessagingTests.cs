using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using static ImOrleans.Grains.Tests.TestExtensions;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class MessagingTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Messages_get_contiguous_seqs_and_a_pull_returns_them_in_order()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var chat = fixture.Conversation(Identifiers.SingleConversation(alice, bob));

        var first = await chat.Send(alice, Text("hi bob")).WithDeadline();
        var second = await chat.Send(bob, Text("hi alice")).WithDeadline();
        var third = await chat.Send(alice, Text("how are you?")).WithDeadline();

        Assert.Equal([1L, 2L, 3L], [first.Seq, second.Seq, third.Seq]);
        Assert.False(first.Duplicate);
        var page = await chat.Pull(bob, 0, 0, 0).WithDeadline();
        Assert.Equal(3, page.MaxSeq);
        Assert.Equal(1, page.InitSeq);
        Assert.Equal([1L, 2L, 3L], page.Messages.Select(m => m.Seq));
        Assert.Equal(["hi bob", "hi alice", "how are you?"], page.Messages.Select(m => m.Content));
        Assert.Equal([alice, bob, alice], page.Messages.Select(m => m.SenderId));
        Assert.All(page.Messages, m => Assert.Equal(MessageType.Text, m.Type));

        // R14: the newest page first, then older pages on demand.
        var newest = await chat.Pull(bob, 0, 0, 2).WithDeadline();
        Assert.Equal([2L, 3L], newest.Messages.Select(m => m.Seq));
        var older = await chat.Pull(bob, 0, 1, 2).WithDeadline();
        Assert.Equal([1L], older.Messages.Select(m => m.Seq));
    }

    [Fact]
    public async Task A_resent_message_is_stored_once_even_after_the_conversation_grain_restarts()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var chat = fixture.Conversation(Identifiers.SingleConversation(alice, bob));
        var message = Text("did you get this?");

        var sent = await chat.Send(alice, message).WithDeadline();
        var resent = await chat.Send(alice, message with { Resend = true }).WithDeadline();

        Assert.Equal(1, sent.Seq);
        Assert.True(resent.Duplicate);
        Assert.Equal(sent.Seq, resent.Seq);
        Assert.Equal(sent.ServerTimeMs, resent.ServerTimeMs);

        // A fresh activation has no memory of recent sends: the resend is found in the store.
        await fixture.Cluster.DeactivateAsync(chat).WithDeadline();
        var resentAfterRestart = await chat.Send(alice, message with { Resend = true }).WithDeadline();

        Assert.True(resentAfterRestart.Duplicate);
        Assert.Equal(sent.Seq, resentAfterRestart.Seq);
        var next = await chat.Send(alice, Text("and this?")).WithDeadline();
        Assert.Equal(2, next.Seq);
        var page = await chat.Pull(bob, 0, 0, 0).WithDeadline();
        Assert.Equal([1L, 2L], page.Messages.Select(m => m.Seq));
    }

    [Fact]
    public async Task A_repeat_of_an_older_send_gets_its_seq_back_and_the_other_member_may_use_the_same_client_id()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var chat = fixture.Conversation(Identifiers.SingleConversation(alice, bob));
        var first = Text("one");
        await chat.Send(alice, first).WithDeadline();
        await chat.Send(alice, Text("two")).WithDeadline();
        await chat.Send(alice, Text("three")).WithDeadline();

        var repeated = await chat.Send(alice, first).WithDeadline();
        var bobsOwn = await chat.Send(bob, first).WithDeadline();

        Assert.True(repeated.Duplicate);
        Assert.Equal(1, repeated.Seq);
        Assert.False(bobsOwn.Duplicate);
        Assert.Equal(4, bobsOwn.Seq);
        var page = await chat.Pull(alice, 0, 0, 0).WithDeadline();
        Assert.Equal([alice, alice, alice, bob], page.Messages.Select(m => m.SenderId));
    }

    [Fact]
    public async Task A_non_member_can_neither_send_nor_read_and_nothing_is_stored()
    {
        var (alice, bob, mallory) = (NewUser("alice"), NewUser("bob"), NewUser("mallory"));
        var chat = fixture.Conversation(Identifiers.SingleConversation(alice, bob));

        var send = await Assert.ThrowsAsync<RequestRejectedException>(() => chat.Send(mallory, Text("let me in")).WithDeadline());
        var pull = await Assert.ThrowsAsync<RequestRejectedException>(() => chat.Pull(mallory, 0, 0, 0).WithDeadline());
        var ack = await Assert.ThrowsAsync<RequestRejectedException>(() => chat.AckDelivered(mallory, 1).WithDeadline());

        Assert.Equal(ErrorCode.NotMember, send.Code);
        Assert.Equal(ErrorCode.NotMember, pull.Code);
        Assert.Equal(ErrorCode.NotMember, ack.Code);
        var page = await chat.Pull(alice, 0, 0, 0).WithDeadline();
        Assert.Equal(0, page.MaxSeq);
        Assert.Empty(page.Messages);
        var mallorysList = await fixture.User(mallory).GetConversations(0, 0).WithDeadline();
        Assert.Equal(0, mallorysList.Total);
    }

    [Fact]
    public async Task Malformed_sends_and_unknown_conversations_are_rejected_with_a_reason()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var chat = fixture.Conversation(Identifiers.SingleConversation(alice, bob));

        Assert.Equal(ErrorCode.InvalidArgument, (await Rejection(chat.Send(alice, Text("x", clientMsgId: "")))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await Rejection(chat.Send(alice, Text("x", clientMsgId: new string('a', 65))))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await Rejection(chat.Send(alice, Text("x") with { Type = MessageType.Unspecified }))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await Rejection(chat.Send(alice, Text("x") with { Type = (MessageType)42 }))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await Rejection(chat.Send(alice, Text(new string('x', 16 * 1024 + 1))))).Code);
        Assert.Equal(0, (await chat.Pull(alice, 0, 0, 0).WithDeadline()).MaxSeq);

        var notAConversation = fixture.Conversation("g:some-group");
        Assert.True(Identifiers.TryParseSingle(chat.GetPrimaryKeyString(), out var first, out var second));
        var backwards = fixture.Conversation($"s:{second}:{first}");
        Assert.Equal(ErrorCode.ConversationNotFound, (await Rejection(notAConversation.Send(alice, Text("x")))).Code);
        Assert.Equal(ErrorCode.ConversationNotFound, (await Rejection(notAConversation.Pull(alice, 0, 0, 0))).Code);
        Assert.Equal(ErrorCode.ConversationNotFound, (await Rejection(backwards.Send(alice, Text("x")))).Code);

        static Task<RequestRejectedException> Rejection(Task task) => Assert.ThrowsAsync<RequestRejectedException>(() => task.WithDeadline());
    }
}
