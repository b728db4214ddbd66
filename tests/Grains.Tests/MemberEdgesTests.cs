using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using static ImOrleans.Grains.Tests.TestExtensions;

namespace ImOrleans.Grains.Tests;

/// <summary>
/// A 1:1 conversation pushes the other member's messages and receipts to the edges holding that member's sessions,
/// not through the member's user grain, and learns of a new edge before the login on it is answered.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MemberEdgesTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Messages_and_receipts_for_the_other_member_go_once_to_the_edge_holding_their_session()
    {
        var edge = TestEdge.Create(fixture);
        var (alice, bob, _, chat, alicePhone, bobPhone) = await ChatInUseAsync(edge);

        var before = edge.Pushes;
        var sent = await chat.Send(alice, Text("through the edge")).WithDeadline();
        Assert.Equal((sent.Seq, "through the edge"), Pushed(await bobPhone.NextMessageAsync()));
        await chat.AckDelivered(bob, sent.Seq).WithDeadline();
        var receipt = await alicePhone.NextReceiptAsync();

        Assert.Equal((bob, sent.Seq), (receipt.UserId, receipt.DeliveredSeq));
        Assert.Equal(before + 2, edge.Pushes); // the message to bob and the receipt to alice, each once
    }

    [Fact]
    public async Task A_session_on_another_edge_gets_the_next_message_of_a_conversation_already_in_use()
    {
        var (edge1, edge2) = (TestEdge.Create(fixture), TestEdge.Create(fixture));
        var (alice, bob, _, chat, _, bobPhone) = await ChatInUseAsync(edge1);

        var laptop = await TestSession.ConnectAsync(fixture, bob, "laptop", edge2);
        var sent = await chat.Send(alice, Text("to both devices")).WithDeadline();

        Assert.Equal((sent.Seq, "to both devices"), Pushed(await laptop.NextMessageAsync()));
        Assert.Equal((sent.Seq, "to both devices"), Pushed(await bobPhone.NextMessageAsync()));
    }

    [Fact]
    public async Task A_session_on_a_host_without_a_fan_out_endpoint_is_reached_through_the_user_grain()
    {
        var (alice, bob, _, chat, _, bobPhone) = await ChatInUseAsync(TestEdge.Create(fixture));

        var watch = await TestSession.ConnectAsync(fixture, bob, "watch", edge: null);
        var sent = await chat.Send(alice, Text("everywhere")).WithDeadline();

        Assert.Equal((sent.Seq, "everywhere"), Pushed(await watch.NextMessageAsync()));
        Assert.Equal((sent.Seq, "everywhere"), Pushed(await bobPhone.NextMessageAsync()));
    }

    [Fact]
    public async Task A_watch_renewal_keeps_its_answer_while_the_edges_stay_the_same_and_a_new_edge_gives_a_newer_one()
    {
        var (edge1, edge2) = (TestEdge.Create(fixture), TestEdge.Create(fixture));
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        await TestSession.ConnectAsync(fixture, bob, "phone", edge1);
        var conversationId = Identifiers.SingleConversation(alice, bob);

        var first = await fixture.User(bob).WatchEdges(conversationId).WithDeadline();
        var renewed = await fixture.User(bob).WatchEdges(conversationId).WithDeadline();
        await TestSession.ConnectAsync(fixture, bob, "laptop", edge2);
        var grown = await fixture.User(bob).WatchEdges(conversationId).WithDeadline();

        Assert.Equal(first.Version, renewed.Version);
        Assert.Equal(first.Edges, renewed.Edges);
        Assert.True(grown.Version > first.Version, $"version {grown.Version} after a new edge, {first.Version} before");
        Assert.Equal(2, grown.Edges.Count);
    }

    [Fact]
    public async Task The_receiver_marks_read_and_deletes_messages_its_user_grain_never_heard_of()
    {
        var (alice, bob, conversationId, chat, _, _) = await ChatInUseAsync(TestEdge.Create(fixture));
        var first = await chat.Send(alice, Text("one")).WithDeadline();
        var read = await fixture.User(bob).MarkRead(conversationId, first.Seq).WithDeadline();
        Assert.Equal((first.Seq, 0L), (read.ReadSeq, read.Unread));

        await chat.Send(alice, Text("two")).WithDeadline();
        var third = await chat.Send(alice, Text("three")).WithDeadline();
        await fixture.User(bob).DeleteMessages(conversationId, [third.Seq]).WithDeadline();
        await chat.Send(alice, Text("four")).WithDeadline();
        var again = await fixture.User(bob).MarkRead(conversationId, first.Seq).WithDeadline();

        var page = await chat.Pull(bob, third.Seq, third.Seq, 1).WithDeadline();
        Assert.Equal(MessageStatus.Deleted, Assert.Single(page.Messages).Status);
        Assert.Equal((first.Seq, 3L), (again.ReadSeq, again.Unread));
    }

    /// <summary>
    /// Alice and bob, each with a phone on <paramref name="edge"/>, and their conversation in use. The conversation asks
    /// where the members' sessions are when it activates, and pushes through their user grains until the answer is in:
    /// alice sends until a message reaches bob through the edge.
    /// </summary>
    private async Task<ChatInUse> ChatInUseAsync(TestEdge edge)
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var alicePhone = await TestSession.ConnectAsync(fixture, alice, "phone", edge);
        var bobPhone = await TestSession.ConnectAsync(fixture, bob, "phone", edge);
        var conversationId = Identifiers.SingleConversation(alice, bob);
        var chat = fixture.Conversation(conversationId);
        await SendUntilTheEdgePushesAsync(chat, alice, bobPhone, edge);
        return new ChatInUse(alice, bob, conversationId, chat, alicePhone, bobPhone);
    }

    private static async Task SendUntilTheEdgePushesAsync(IConversationGrain chat, string sender, TestSession receiver, TestEdge edge)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (true)
        {
            var before = edge.Pushes;
            var sent = await chat.Send(sender, Text("warm-up")).WithDeadline();
            Assert.Equal(sent.Seq, (await receiver.NextMessageAsync()).Seq);
            if (edge.Pushes > before)
            {
                return;
            }

            Assert.False(deadline.IsCancellationRequested, "the conversation never pushed through the edge");
        }
    }

    private static (long Seq, string Content) Pushed(StoredMessage message) => (message.Seq, message.Content);

    private sealed record ChatInUse(string Alice, string Bob, string ConversationId, IConversationGrain Chat, TestSession AlicePhone, TestSession BobPhone);
}
