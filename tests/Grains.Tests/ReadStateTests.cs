using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using static ImOrleans.Grains.Tests.TestExtensions;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ReadStateTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Marking_read_updates_unread_syncs_other_devices_tells_the_sender_and_never_moves_back()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var alicePhone = await TestSession.ConnectAsync(fixture, alice, "phone");
        var bobPhone = await TestSession.ConnectAsync(fixture, bob, "phone");
        var bobLaptop = await TestSession.ConnectAsync(fixture, bob, "laptop");
        var conversationId = Identifiers.SingleConversation(alice, bob);
        var chat = fixture.Conversation(conversationId);
        for (var i = 1; i <= 3; i++)
        {
            await chat.Send(alice, Text($"message {i}")).WithDeadline();
            await bobPhone.NextMessageAsync(); // Bob's grain has taken the message in once it pushed it.
        }

        var bobUser = fixture.User(bob);
        Assert.Equal(3, (await bobUser.GetConversations(0, 0).WithDeadline()).Items.Single().Unread);

        var readTwo = await bobUser.MarkRead(conversationId, 2).WithDeadline();
        var backwards = await bobUser.MarkRead(conversationId, 1).WithDeadline();

        Assert.Equal((2L, 1L), (readTwo.ReadSeq, readTwo.Unread));
        Assert.Equal((2L, 1L), (backwards.ReadSeq, backwards.Unread));
        var laptopSync = await bobLaptop.NextReceiptAsync();
        Assert.Equal((bob, 2L), (laptopSync.UserId, laptopSync.ReadSeq));
        var readReceipt = await alicePhone.NextReceiptAsync();
        Assert.Equal((conversationId, bob, 2L), (readReceipt.ConversationId, readReceipt.UserId, readReceipt.ReadSeq));

        var beyondTheEnd = await bobUser.MarkRead(conversationId, 99).WithDeadline();
        Assert.Equal((3L, 0L), (beyondTheEnd.ReadSeq, beyondTheEnd.Unread));

        // Durable: a fresh activation of Bob's grain reads the same state back.
        await fixture.Cluster.DeactivateAsync(bobUser).WithDeadline();
        var row = (await bobUser.GetConversations(0, 0).WithDeadline()).Items.Single();
        Assert.Equal((3L, 3L, 0L), (row.MaxSeq, row.ReadSeq, row.Unread));

        var stranger = Identifiers.SingleConversation(NewUser("carol"), NewUser("dave"));
        var rejected = await Assert.ThrowsAsync<RequestRejectedException>(() => bobUser.MarkRead(stranger, 1).WithDeadline());
        Assert.Equal(ErrorCode.NotMember, rejected.Code);
    }

    [Fact]
    public async Task The_conversation_list_is_newest_first_with_unread_counts()
    {
        var (alice, bob, carol, dave) = (NewUser("alice"), NewUser("bob"), NewUser("carol"), NewUser("dave"));
        var alicePhone = await TestSession.ConnectAsync(fixture, alice, "phone");
        var withBob = Identifiers.SingleConversation(alice, bob);
        var withCarol = Identifiers.SingleConversation(alice, carol);
        var withDave = Identifiers.SingleConversation(alice, dave);
        await fixture.User(alice).EnsureConversation(new ConversationMembership
        {
            ConversationId = withDave, Type = ConversationType.Single, PeerId = dave, InitSeq = 1,
        }).WithDeadline();

        var toBob = await fixture.Conversation(withBob).Send(alice, Text("one")).WithDeadline();
        var fromCarol1 = await fixture.Conversation(withCarol).Send(carol, Text("two")).WithDeadline();
        var fromCarol2 = await fixture.Conversation(withCarol).Send(carol, Text("three")).WithDeadline();
        var toBobAgain = await fixture.Conversation(withBob).Send(alice, Text("four")).WithDeadline();
        for (var i = 0; i < 4; i++)
        {
            await alicePhone.NextMessageAsync();
        }

        var page = await fixture.User(alice).GetConversations(0, 0).WithDeadline();

        // Newest last message first (ties by id); a conversation without messages comes last.
        string[] withMessages = toBobAgain.ServerTimeMs > fromCarol2.ServerTimeMs ? [withBob, withCarol]
            : toBobAgain.ServerTimeMs < fromCarol2.ServerTimeMs ? [withCarol, withBob]
            : [.. new[] { withBob, withCarol }.Order(StringComparer.Ordinal)];
        Assert.Equal([.. withMessages, withDave], page.Items.Select(c => c.ConversationId));
        Assert.Equal(3, page.Total);
        var bobRow = page.Items.Single(c => c.ConversationId == withBob);
        var carolRow = page.Items.Single(c => c.ConversationId == withCarol);
        var daveRow = page.Items.Single(c => c.ConversationId == withDave);
        Assert.Equal((2L, 0L, "four", bob), (bobRow.MaxSeq, bobRow.Unread, bobRow.LastMessage!.Content, bobRow.PeerId)); // own messages are read
        Assert.Equal((2L, 2L, "three", carol), (carolRow.MaxSeq, carolRow.Unread, carolRow.LastMessage!.Content, carolRow.PeerId));
        Assert.Equal((0L, 0L), (daveRow.MaxSeq, daveRow.Unread));
        Assert.Null(daveRow.LastMessage);
        Assert.Equal((1L, 1L), (toBob.Seq, fromCarol1.Seq)); // each conversation counts its own seqs

        var second = await fixture.User(alice).GetConversations(1, 1).WithDeadline();
        Assert.Equal([withMessages[1]], second.Items.Select(c => c.ConversationId));
        Assert.Equal(3, second.Total);
    }

    [Fact]
    public async Task The_sender_sees_the_message_delivered_when_the_receiver_acks_it()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var alicePhone = await TestSession.ConnectAsync(fixture, alice, "phone");
        var chat = fixture.Conversation(Identifiers.SingleConversation(alice, bob));
        var sent = await chat.Send(alice, Text("ping")).WithDeadline();

        await chat.AckDelivered(bob, sent.Seq).WithDeadline();
        await chat.AckDelivered(bob, sent.Seq).WithDeadline(); // a duplicate ack changes nothing

        var receipt = await alicePhone.NextReceiptAsync();
        Assert.Equal((bob, sent.Seq, 0L), (receipt.UserId, receipt.DeliveredSeq, receipt.ReadSeq));

        // An ack past the newest message is clamped to it, and survives a restart of the grain.
        await chat.AckDelivered(bob, 500).WithDeadline();
        await fixture.Cluster.DeactivateAsync(chat).WithDeadline();
        var second = await chat.Send(alice, Text("pong")).WithDeadline();
        await chat.AckDelivered(bob, second.Seq).WithDeadline();
        var next = await alicePhone.NextReceiptAsync();
        Assert.Equal((bob, 2L), (next.UserId, next.DeliveredSeq));
    }

    [Fact]
    public async Task A_delivered_position_is_stored_within_the_flush_delay_and_at_once_when_the_grain_deactivates()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var conversationId = Identifiers.SingleConversation(alice, bob);
        var chat = fixture.Conversation(conversationId);
        var first = await chat.Send(alice, Text("one")).WithDeadline();

        await chat.AckDelivered(bob, first.Seq).WithDeadline();
        await WaitForAsync(() => StoredDeliveredAsync(conversationId, bob), seq => seq >= first.Seq, "the stored delivered position");

        // Deactivating well inside the flush delay: the grain stores what it holds before it goes.
        var second = await chat.Send(alice, Text("two")).WithDeadline();
        await chat.AckDelivered(bob, second.Seq).WithDeadline();
        await fixture.Cluster.DeactivateAsync(chat).WithDeadline();
        Assert.Equal(second.Seq, await StoredDeliveredAsync(conversationId, bob));
    }

    private async Task<long> StoredDeliveredAsync(string conversationId, string userId) =>
        (await fixture.Store.GetReceiptsAsync(conversationId).WithDeadline()).SingleOrDefault(r => r.UserId == userId)?.DeliveredSeq ?? 0;
}
