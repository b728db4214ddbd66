using ImOrleans.Protocol;
using static ImOrleans.Grains.Tests.TestExtensions;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains.Tests;

/// <summary>
/// A 1:1 send whose answer comes back through the sending edge (<see cref="IConversationGrain.SendWithReply"/>), as
/// every edge sends 1:1 messages.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SendWithReplyTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Overlapping_sends_are_each_answered_with_the_seq_they_were_stored_under_and_the_seqs_are_contiguous()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var chat = fixture.Conversation(Identifiers.SingleConversation(alice, bob));
        var edge = TestEdge.Create(fixture);

        // None waits for an answer before the next is sent: each is answered after its commit, and the next is queued
        // meanwhile. Orleans does not keep one-way calls in order (an edge sends a conversation's next message once
        // the last is answered), so the seqs are checked against the answers, not against the order sent.
        const int sends = 30;
        for (var token = 1; token <= sends; token++)
        {
            var sender = token % 3 == 0 ? bob : alice;
            await chat.SendWithReply(sender, Text($"m{token}") with { ReplyToken = token }, edge.Reference).WithDeadline();
        }

        var seqOf = new Dictionary<long, string>();
        for (var token = 1; token <= sends; token++)
        {
            var (result, refused) = await edge.AnswerTo(token);
            Assert.Equal(ErrorCode.None, refused);
            Assert.False(result!.Duplicate);
            seqOf[result.Seq] = $"m{token}";
        }

        Assert.Equal(Enumerable.Range(1, sends).Select(seq => (long)seq), seqOf.Keys.Order());
        var page = await chat.Pull(bob, 1, sends, sends).WithDeadline();
        Assert.Equal(Enumerable.Range(1, sends).Select(seq => seqOf[seq]), page.Messages.Select(m => m.Content));
    }

    [Fact]
    public async Task A_resend_is_answered_with_the_seq_its_original_was_stored_under()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var chat = fixture.Conversation(Identifiers.SingleConversation(alice, bob));
        var edge = TestEdge.Create(fixture);
        var message = Text("did you get this?");
        await chat.Send(bob, Text("hello")).WithDeadline();

        // The resend follows its original at once, before the original's answer: whichever arrives second waits for
        // the first one's commit (one-way calls may arrive in either order) and is answered with its seq.
        await chat.SendWithReply(alice, message with { ReplyToken = 1 }, edge.Reference).WithDeadline();
        await chat.SendWithReply(alice, message with { ReplyToken = 2, Resend = true }, edge.Reference).WithDeadline();

        var (first, _) = await edge.AnswerTo(1);
        var (second, _) = await edge.AnswerTo(2);
        Assert.Equal(2, first!.Seq);
        Assert.Equal(2, second!.Seq);
        Assert.Equal(1, new[] { first, second }.Count(a => a.Duplicate));
        Assert.Equal(2, (await chat.Pull(bob, 0, 0, 0).WithDeadline()).MaxSeq);
    }

    [Fact]
    public async Task A_refused_send_is_answered_with_its_code_and_stores_nothing()
    {
        var (alice, bob, mallory) = (NewUser("alice"), NewUser("bob"), NewUser("mallory"));
        var chat = fixture.Conversation(Identifiers.SingleConversation(alice, bob));
        var edge = TestEdge.Create(fixture);
        await chat.Send(alice, Text("hi")).WithDeadline();

        await chat.SendWithReply(mallory, Text("let me in") with { ReplyToken = 1 }, edge.Reference).WithDeadline();
        await chat.SendWithReply(alice, Text(new string('x', 17 * 1024)) with { ReplyToken = 2 }, edge.Reference).WithDeadline();
        await chat.SendWithReply(alice, Text("still here") with { ReplyToken = 3 }, edge.Reference).WithDeadline();

        Assert.Equal((null, ErrorCode.NotMember), await edge.AnswerTo(1));
        Assert.Equal((null, ErrorCode.InvalidArgument), await edge.AnswerTo(2));
        var (after, refused) = await edge.AnswerTo(3);
        Assert.Equal(ErrorCode.None, refused);
        Assert.Equal(2, after!.Seq);
    }
}
