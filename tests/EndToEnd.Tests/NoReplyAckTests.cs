using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>
/// Acks flagged NoReply (docs/protocol.md, "Acks without answers"): the server takes them without answering, tells
/// the other member as usual, and still answers one it refuses.
/// </summary>
[Collection(SharedServerCollection.Name)]
public sealed class NoReplyAckTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task A_delivery_ack_flagged_no_reply_gets_no_answer_and_the_sender_still_sees_it_delivered()
    {
        await using var alice = await ChatUser.ConnectAsync(Server, "nr-alice");
        await using var bob = await RawConnection.LoggedInAsync(Server, "nr-bob");
        var conversation = Identifiers.SingleConversation("nr-alice", "nr-bob");

        var sent = await alice.SendAsync("nr-bob", "tell me when it arrives");
        var (push, _) = await bob.ReadFrameAsync();
        Assert.Equal(CommandCode.MessagePush, push.Command);

        var deliveryAck = await bob.SendAsync(CommandCode.DeliveryAck, new DeliveryAckRequest { ConversationId = conversation, Seq = sent.Seq }, flags: FrameFlags.NoReply);
        var noticeAck = await bob.SendAsync(CommandCode.NoticeAck, new NoticeAckRequest { Seq = 0 }, flags: FrameFlags.NoReply);

        // The logout is answered after everything asked before it, and its answer is the connection's last frame.
        var logout = await bob.SendAsync(CommandCode.Logout, new LogoutRequest());
        var answered = new List<uint>();
        while (answered.LastOrDefault() != logout)
        {
            answered.Add((await bob.ReadNextResponseAsync()).Header.RequestId);
        }

        Assert.DoesNotContain(deliveryAck, answered);
        Assert.DoesNotContain(noticeAck, answered);
        await alice.WaitUntilAsync(
            a => a.Receipts.Any(r => r.ConversationId == conversation && r.UserId == "nr-bob" && r.DeliveredSeq == sent.Seq),
            "bob's delivered receipt arrives");
    }

    [Fact]
    public async Task A_refused_ack_flagged_no_reply_is_answered_with_its_error()
    {
        await using var mallory = await RawConnection.LoggedInAsync(Server, "nr-mallory");

        var foreign = await mallory.SendAsync(CommandCode.DeliveryAck, new DeliveryAckRequest
        {
            ConversationId = Identifiers.SingleConversation("nr-ann", "nr-ben"), Seq = 1,
        }, flags: FrameFlags.NoReply);
        Assert.Equal((uint)ErrorCode.NotMember, (await mallory.ReadErrorAsync(foreign)).Code);

        var noGroup = await mallory.SendAsync(CommandCode.DeliveryAck, new DeliveryAckRequest
        {
            ConversationId = Identifiers.GroupConversation("nr-no-such-group"), Seq = 1,
        }, flags: FrameFlags.NoReply);
        Assert.Equal((uint)ErrorCode.ConversationNotFound, (await mallory.ReadErrorAsync(noGroup)).Code);
    }
}
