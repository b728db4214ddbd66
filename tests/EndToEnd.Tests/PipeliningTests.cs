using System.Buffers;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>
/// A client may write many requests without waiting for answers. The edge handles them side by side, except that the
/// sends of one conversation are stored in the order they were written.
/// </summary>
[Collection(SharedServerCollection.Name)]
public sealed class PipeliningTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Sends_written_back_to_back_get_seqs_in_the_order_written_in_each_conversation_and_all_are_answered()
    {
        await using var alice = await RawConnection.ConnectAsync(Server.Edge);
        await alice.LoginAsync("pl-alice", Server.TokenFor("pl-alice"));
        await using var bob = await ChatUser.ConnectAsync(Server, "pl-bob");
        await using var carol = await ChatUser.ConnectAsync(Server, "pl-carol");
        var toBob = Identifiers.SingleConversation("pl-alice", "pl-bob");
        var toCarol = Identifiers.SingleConversation("pl-alice", "pl-carol");

        // 60 sends alternating between two conversations, in one write: the edge reads them all at once.
        var frames = new ArrayBufferWriter<byte>();
        var written = new List<(uint RequestId, string Conversation, int Index)>();
        for (var i = 0; i < 60; i++)
        {
            var conversation = i % 2 == 0 ? toBob : toCarol;
            var requestId = alice.NextRequestId();
            FrameWriter.Write(frames, CommandCode.SendMessage, FrameFlags.None, requestId, new SendMessageRequest
            {
                ConversationId = conversation,
                ClientMsgId = $"pl-{i}",
                Type = MessageType.Text,
                Content = $"message {i}",
            });
            written.Add((requestId, conversation, i));
        }

        await alice.SendBytesAsync(frames.WrittenMemory);

        var seqs = new Dictionary<uint, long>();
        while (seqs.Count < written.Count)
        {
            var (header, body) = await alice.ReadFrameAsync();
            if (header.IsResponse)
            {
                Assert.False(header.IsError, $"request {header.RequestId} failed: {(header.IsError ? ErrorBody.Parser.ParseFrom(body).Reason : "")}");
                seqs.Add(header.RequestId, SendMessageResponse.Parser.ParseFrom(body).Seq);
            }
        }

        foreach (var conversation in new[] { toBob, toCarol })
        {
            var inOrder = written.Where(w => w.Conversation == conversation).Select(w => seqs[w.RequestId]).ToList();
            Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), inOrder);
        }

        await bob.WaitForMessagesAsync(toBob, 30);
        Assert.Equal(
            Enumerable.Range(0, 30).Select(i => $"message {2 * i}"),
            bob.MessagesIn(toBob).OrderBy(m => m.Seq).Select(m => m.Content));
        await carol.WaitForMessagesAsync(toCarol, 30);
        Assert.Equal(
            Enumerable.Range(0, 30).Select(i => $"message {2 * i + 1}"),
            carol.MessagesIn(toCarol).OrderBy(m => m.Seq).Select(m => m.Content));
    }

    [Fact]
    public async Task A_heartbeat_written_after_a_send_is_answered_while_the_send_is_still_being_stored()
    {
        await using var alice = await RawConnection.ConnectAsync(Server.Edge);
        await alice.LoginAsync("pl2-alice", Server.TokenFor("pl2-alice"));

        // The first send of a new conversation records it with both members and waits for the disk; the heartbeat
        // behind it in the same write needs nothing but the edge.
        var frames = new ArrayBufferWriter<byte>();
        var send = alice.NextRequestId();
        FrameWriter.Write(frames, CommandCode.SendMessage, FrameFlags.None, send, new SendMessageRequest
        {
            ConversationId = Identifiers.SingleConversation("pl2-alice", "pl2-bob"),
            ClientMsgId = "pl2-1",
            Type = MessageType.Text,
            Content = "hi",
        });
        var heartbeat = alice.NextRequestId();
        FrameWriter.Write(frames, CommandCode.Heartbeat, FrameFlags.None, heartbeat, new HeartbeatRequest());
        await alice.SendBytesAsync(frames.WrittenMemory);

        var answered = new List<uint>();
        while (answered.Count < 2)
        {
            var (header, _) = await alice.ReadFrameAsync();
            if (header.IsResponse)
            {
                Assert.False(header.IsError);
                answered.Add(header.RequestId);
            }
        }

        Assert.Equal([heartbeat, send], answered);
    }

    [Fact]
    public async Task Everything_written_before_a_logout_is_answered_before_the_logout()
    {
        await using var alice = await RawConnection.ConnectAsync(Server.Edge);
        await alice.LoginAsync("pl3-alice", Server.TokenFor("pl3-alice"));

        var frames = new ArrayBufferWriter<byte>();
        var sends = new List<uint>();
        for (var i = 0; i < 10; i++)
        {
            var requestId = alice.NextRequestId();
            FrameWriter.Write(frames, CommandCode.SendMessage, FrameFlags.None, requestId, new SendMessageRequest
            {
                ConversationId = Identifiers.SingleConversation("pl3-alice", $"pl3-peer{i}"),
                ClientMsgId = $"pl3-{i}",
                Type = MessageType.Text,
                Content = "before logout",
            });
            sends.Add(requestId);
        }

        var logout = alice.NextRequestId();
        FrameWriter.Write(frames, CommandCode.Logout, FrameFlags.None, logout, new LogoutRequest());
        await alice.SendBytesAsync(frames.WrittenMemory);

        var answered = new List<uint>();
        while (!answered.Contains(logout))
        {
            var (header, _) = await alice.ReadFrameAsync();
            if (header.IsResponse)
            {
                Assert.False(header.IsError);
                answered.Add(header.RequestId);
            }
        }

        Assert.Equal(sends.Order(), answered.Take(sends.Count).Order());
        Assert.Equal(logout, answered[^1]);
        await alice.WaitClosedAsync();
    }
}
