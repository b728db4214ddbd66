using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using static ImOrleans.Grains.Tests.TestExtensions;

namespace ImOrleans.Grains.Tests;

/// <summary>
/// A 1:1 conversation pushes the other member's messages and receipts, and the sender's message to their other
/// sessions, to the edges holding those sessions, not through the members' user grains, and learns of a new edge
/// before the login on it is answered.
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
        Assert.Equal((sent.Seq, "through the edge"), Pushed(await alicePhone.NextMessageAsync())); // sent from no session of hers
        Assert.Equal(before + 3, edge.Pushes); // the message to bob and to alice, and the receipt to alice, each once
    }

    [Fact]
    public async Task The_senders_other_devices_get_their_message_through_the_edge_and_the_sending_session_does_not()
    {
        var edge = TestEdge.Create(fixture);
        var (alice, _, _, chat, alicePhone, bobPhone) = await ChatInUseAsync(edge);
        var laptop = await TestSession.ConnectAsync(fixture, alice, "laptop", edge);

        var before = edge.Pushes;
        var fromPhone = await chat.Send(alice, From(alicePhone, "from the phone")).WithDeadline();
        Assert.Equal((fromPhone.Seq, "from the phone"), Pushed(await laptop.NextMessageAsync()));
        Assert.Equal((fromPhone.Seq, "from the phone"), Pushed(await bobPhone.NextMessageAsync()));
        var fromLaptop = await chat.Send(alice, From(laptop, "from the laptop")).WithDeadline();

        // The phone's next push is the laptop's message: its own was not pushed back to it.
        Assert.Equal((fromLaptop.Seq, "from the laptop"), Pushed(await alicePhone.NextMessageAsync()));
        Assert.Equal((fromLaptop.Seq, "from the laptop"), Pushed(await bobPhone.NextMessageAsync()));
        Assert.Equal(before + 4, edge.Pushes); // each message once to bob and once to alice's other session
    }

    [Fact]
    public async Task The_senders_own_messages_count_as_read_in_their_list_at_once_even_after_the_other_member_answered()
    {
        var (alice, bob, _, chat, alicePhone, _) = await ChatReadByAliceAsync();

        // Pushed to her other devices through the edge, not through her user grain.
        var mine = await chat.Send(alice, From(alicePhone, "mine")).WithDeadline();
        var listed = await ListedForAsync(alice);
        Assert.Equal((mine.Seq, mine.Seq, 0L), (listed.MaxSeq, listed.ReadSeq, listed.Unread));

        var again = await chat.Send(alice, From(alicePhone, "mine again")).WithDeadline();
        var answer = await chat.Send(bob, Text("his answer")).WithDeadline();
        var row = await ListedForAsync(alice);
        Assert.Equal((answer.Seq, again.Seq, 1L), (row.MaxSeq, row.ReadSeq, row.Unread));
    }

    [Fact]
    public async Task The_conversation_tells_the_senders_user_grain_of_their_own_sends_before_it_forgets_them()
    {
        var (alice, bob, _, chat, alicePhone, _) = await ChatReadByAliceAsync();
        var mine = await chat.Send(alice, From(alicePhone, "mine")).WithDeadline();
        var answer = await chat.Send(bob, Text("his answer")).WithDeadline();

        // A new activation of the conversation knows no send of hers: only the batch it sent on deactivating tells.
        await fixture.Cluster.DeactivateAsync(chat).WithDeadline();
        var row = await WaitForAsync(() => ListedForAsync(alice), r => r.ReadSeq == mine.Seq, "her read position at her own message");
        Assert.Equal((answer.Seq, mine.Seq, 1L), (row.MaxSeq, row.ReadSeq, row.Unread));
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
    /// alice sends until a message reaches bob, and her own phone, through the edge.
    /// </summary>
    private async Task<ChatInUse> ChatInUseAsync(TestEdge edge)
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var alicePhone = await TestSession.ConnectAsync(fixture, alice, "phone", edge);
        var bobPhone = await TestSession.ConnectAsync(fixture, bob, "phone", edge);
        var conversationId = Identifiers.SingleConversation(alice, bob);
        var chat = fixture.Conversation(conversationId);
        await SendUntilTheEdgePushesAsync(chat, alice, alicePhone, bobPhone, edge);
        return new ChatInUse(alice, bob, conversationId, chat, alicePhone, bobPhone);
    }

    /// <summary>A conversation in use (<see cref="ChatInUseAsync"/>) on one edge, with alice's read position at its newest message.</summary>
    private async Task<ChatInUse> ChatReadByAliceAsync()
    {
        var chat = await ChatInUseAsync(TestEdge.Create(fixture));
        await fixture.User(chat.Alice).MarkRead(chat.ConversationId, long.MaxValue).WithDeadline();
        return chat;
    }

    /// <summary>The user's only conversation as their list shows it.</summary>
    private async Task<ConversationSummary> ListedForAsync(string userId) =>
        (await fixture.User(userId).GetConversations(0, 0).WithDeadline()).Items.Single();

    /// <summary>A text sent from <paramref name="session"/>, which the edge names as the message's origin.</summary>
    private static OutgoingMessage From(TestSession session, string content) => Text(content) with { OriginSessionId = session.Info.SessionId };

    private static (long Seq, string Content) Pushed(StoredMessage message) => (message.Seq, message.Content);

    private sealed record ChatInUse(string Alice, string Bob, string ConversationId, IConversationGrain Chat, TestSession AlicePhone, TestSession BobPhone);
}
