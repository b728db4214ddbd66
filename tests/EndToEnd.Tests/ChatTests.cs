using ImOrleans.Client;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>1:1 chat as two people see it, over real sockets against the real edge and silo.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class ChatTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task A_message_reaches_every_device_of_the_receiver_and_the_senders_other_devices()
    {
        await using var alicePhone = await ChatUser.ConnectAsync(Server, "md-alice", "phone");
        await using var aliceLaptop = await ChatUser.ConnectAsync(Server, "md-alice", "laptop");
        await using var bobPhone = await ChatUser.ConnectAsync(Server, "md-bob", "phone");
        await using var bobTablet = await ChatUser.ConnectAsync(Server, "md-bob", "tablet");
        var conversation = Identifiers.SingleConversation("md-alice", "md-bob");

        var ack = await alicePhone.SendAsync("md-bob", "hello bob");

        Assert.Equal(1, ack.Seq);
        foreach (var device in new[] { bobPhone, bobTablet, aliceLaptop })
        {
            await device.WaitForMessagesAsync(conversation, 1);
            var message = Assert.Single(device.MessagesIn(conversation));
            Assert.Equal(("hello bob", "md-alice", 1L), (message.Content, message.SenderId, message.Seq));
        }

        Assert.Empty(alicePhone.MessagesIn(conversation));
    }

    [Fact]
    public async Task The_sending_session_gets_its_seq_in_the_ack_and_no_push_of_its_own_message_while_its_other_session_gets_the_push()
    {
        await using var phone = await RawConnection.ConnectAsync(Server.Edge);
        await using var laptop = await RawConnection.ConnectAsync(Server.Edge);
        await phone.LoginAsync("echo-alice", Server.TokenFor("echo-alice"), "phone");
        await laptop.LoginAsync("echo-alice", Server.TokenFor("echo-alice"), "laptop");
        await using var bob = await ChatUser.ConnectAsync(Server, "echo-bob");
        var conversation = Identifiers.SingleConversation("echo-alice", "echo-bob");

        Assert.Equal(1, await SendTextAsync(phone, conversation, "echo-1", "from my phone"));

        // The laptop, another session of the sender, gets the push (R22).
        var onLaptop = await NextMessagePushAsync(laptop);
        Assert.Equal((1L, "from my phone"), (onLaptop.Seq, onLaptop.Content));

        // Pushes of one conversation reach a session in seq order, so the phone's first push must be bob's reply
        // (seq 2): a push of its own seq 1 would have come before it.
        await bob.SendAsync("echo-alice", "reply");
        var onPhone = await NextMessagePushAsync(phone);
        Assert.Equal((2L, "echo-bob"), (onPhone.Seq, onPhone.SenderId));

        // The same once the conversation pushes to the sender's edge itself (it has learned where her sessions are).
        Assert.Equal(3, await SendTextAsync(phone, conversation, "echo-2", "again from my phone"));
        Assert.Equal(2L, (await NextMessagePushAsync(laptop)).Seq); // bob's reply
        var secondOnLaptop = await NextMessagePushAsync(laptop);
        Assert.Equal((3L, "again from my phone"), (secondOnLaptop.Seq, secondOnLaptop.Content));
        await bob.SendAsync("echo-alice", "second reply");
        var secondOnPhone = await NextMessagePushAsync(phone);
        Assert.Equal((4L, "echo-bob"), (secondOnPhone.Seq, secondOnPhone.SenderId));
    }

    /// <summary>Sends a text over the raw connection and returns the seq its answer gives.</summary>
    private static async Task<long> SendTextAsync(RawConnection connection, string conversationId, string clientMsgId, string content)
    {
        var id = await connection.SendAsync(CommandCode.SendMessage, new SendMessageRequest
        {
            ConversationId = conversationId,
            ClientMsgId = clientMsgId,
            Type = MessageType.Text,
            Content = content,
        });
        var (_, answer) = await connection.ReadResponseAsync(id);
        return SendMessageResponse.Parser.ParseFrom(answer).Seq;
    }

    /// <summary>The next MessagePush, skipping other pushes (bob's delivery receipts).</summary>
    private static async Task<ChatMessage> NextMessagePushAsync(RawConnection connection)
    {
        while (true)
        {
            var (header, body) = await connection.ReadFrameAsync();
            if (header.Command == CommandCode.MessagePush)
            {
                return MessagePush.Parser.ParseFrom(body).Message;
            }
        }
    }

    [Fact]
    public async Task An_sdk_sender_that_gets_no_push_of_its_own_message_still_counts_it_and_has_no_gap_to_fill()
    {
        await using var alice = await ChatUser.ConnectAsync(Server, "own-alice", tune: o => o with { RaiseOwnSends = true });
        await using var bob = await ChatUser.ConnectAsync(Server, "own-bob");
        var conversation = Identifiers.SingleConversation("own-alice", "own-bob");

        await alice.SendAsync("own-bob", "one");
        await bob.WaitForMessagesAsync(conversation, 1);
        await bob.SendAsync("own-alice", "two");

        // With RaiseOwnSends the SDK raises its own acked message itself, in seq order before bob's reply.
        await alice.WaitForMessagesAsync(conversation, 2);
        Assert.Equal([(1L, "one"), (2L, "two")], alice.MessagesIn(conversation).Select(m => (m.Seq, m.Content)));
    }

    [Fact]
    public async Task An_offline_receiver_gets_everything_it_missed_in_order_after_login()
    {
        await using var alice = await ChatUser.ConnectAsync(Server, "off-alice");
        var conversation = Identifiers.SingleConversation("off-alice", "off-carol");
        for (var i = 1; i <= 25; i++)
        {
            Assert.Equal(i, (await alice.SendAsync("off-carol", $"message {i}")).Seq);
        }

        await using var carol = await ChatUser.ConnectAsync(Server, "off-carol", tune: o => o with { InitialSyncLimit = 100 });

        await carol.WaitForMessagesAsync(conversation, 25);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), carol.MessagesIn(conversation).Select(m => m.Seq));
        var listed = Assert.Single((await carol.Client.GetConversationsAsync()).Conversations);
        Assert.Equal((25L, 25L, "off-alice"), (listed.MaxSeq, listed.Unread, listed.PeerId));
    }

    [Fact]
    public async Task The_sender_sees_delivered_then_read_and_the_readers_other_device_syncs_its_read_state()
    {
        await using var alice = await ChatUser.ConnectAsync(Server, "rc-alice");
        await using var bobPhone = await ChatUser.ConnectAsync(Server, "rc-bob", "phone");
        await using var bobLaptop = await ChatUser.ConnectAsync(Server, "rc-bob", "laptop");
        var conversation = Identifiers.SingleConversation("rc-alice", "rc-bob");

        await alice.SendAsync("rc-bob", "one");
        var second = await alice.SendAsync("rc-bob", "two");
        await bobPhone.WaitForMessagesAsync(conversation, 2);

        await alice.WaitUntilAsync(
            u => u.Receipts.Any(r => r.ConversationId == conversation && r.UserId == "rc-bob" && r.DeliveredSeq >= second.Seq),
            "bob's delivered receipt");

        var read = await bobPhone.Client.MarkReadAsync(conversation, second.Seq);
        Assert.Equal((second.Seq, 0L), (read.ReadSeq, read.Unread));

        await alice.WaitUntilAsync(
            u => u.Receipts.Any(r => r.ConversationId == conversation && r.UserId == "rc-bob" && r.ReadSeq == second.Seq),
            "bob's read receipt");
        await bobLaptop.WaitUntilAsync(
            u => u.Receipts.Any(r => r.ConversationId == conversation && r.UserId == "rc-bob" && r.ReadSeq == second.Seq),
            "bob's own read state from the phone");
        var onLaptop = (await bobLaptop.Client.GetConversationsAsync()).Conversations.Single(c => c.ConversationId == conversation);
        Assert.Equal(0, onLaptop.Unread);
    }

    [Fact]
    public async Task Unread_counts_follow_new_messages_and_marking_read()
    {
        await using var alice = await ChatUser.ConnectAsync(Server, "ur-alice");
        await using var bob = await ChatUser.ConnectAsync(Server, "ur-bob");
        await using var carol = await ChatUser.ConnectAsync(Server, "ur-carol");

        await alice.SendAsync("ur-bob", "from alice 1");
        await alice.SendAsync("ur-bob", "from alice 2");
        await carol.SendAsync("ur-bob", "from carol");

        var list = (await bob.Client.GetConversationsAsync()).Conversations;
        Assert.Equal(["ur-carol", "ur-alice"], list.Select(c => c.PeerId));
        Assert.Equal([1L, 2L], list.Select(c => c.Unread));

        await bob.Client.MarkReadAsync(Identifiers.SingleConversation("ur-alice", "ur-bob"), 1);
        list = (await bob.Client.GetConversationsAsync()).Conversations;
        Assert.Equal([1L, 1L], list.Select(c => c.Unread));

        var aliceView = (await alice.Client.GetConversationsAsync()).Conversations.Single();
        Assert.Equal(0, aliceView.Unread);
    }

    [Fact]
    public async Task Logging_in_again_on_the_same_device_kicks_the_older_session_with_a_reason()
    {
        await using var first = await ChatUser.ConnectAsync(Server, "kick-dave", "phone");

        await using var second = await ChatUser.ConnectAsync(Server, "kick-dave", "phone");

        await first.WaitUntilAsync(u => u.Kicks.Count == 1 && u.Client.State == ImClientState.Kicked, "the kick");
        Assert.Equal(KickReason.ReplacedByNewLogin, first.Kicks[0].Reason);
        Assert.Equal(ImClientState.Connected, second.Client.State);
        await using var erin = await ChatUser.ConnectAsync(Server, "kick-erin");
        await erin.SendAsync("kick-dave", "still reachable?");
        await second.WaitForMessagesAsync(Identifiers.SingleConversation("kick-dave", "kick-erin"), 1);
    }

    [Fact]
    public async Task A_resend_after_a_lost_server_ack_stores_the_message_once()
    {
        var conversation = Identifiers.SingleConversation("dup-alice", "dup-bob");
        var clientMsgId = Guid.NewGuid().ToString();
        var request = new SendMessageRequest { ConversationId = conversation, ClientMsgId = clientMsgId, Type = MessageType.Text, Content = "only once" };

        // The first attempt is stored, but its ack never reaches the app: the connection dies right after.
        long storedSeq;
        await using (var first = await RawConnection.ConnectAsync(Server.Edge))
        {
            await first.LoginAsync("dup-alice", Server.TokenFor("dup-alice"));
            var id = await first.SendAsync(CommandCode.SendMessage, request);
            storedSeq = SendMessageResponse.Parser.ParseFrom((await first.ReadResponseAsync(id)).Body).Seq;
        }

        await using var second = await RawConnection.ConnectAsync(Server.Edge);
        await second.LoginAsync("dup-alice", Server.TokenFor("dup-alice"));
        request.Resend = true;
        var resend = await second.SendAsync(CommandCode.SendMessage, request);
        var ack = SendMessageResponse.Parser.ParseFrom((await second.ReadResponseAsync(resend)).Body);

        Assert.Equal((storedSeq, true), (ack.Seq, ack.Duplicate));
        await using var bob = await ChatUser.ConnectAsync(Server, "dup-bob");
        var history = await bob.Client.PullMessagesAsync(conversation, limit: 100);
        var stored = Assert.Single(history.Messages);
        Assert.Equal((clientMsgId, storedSeq), (stored.ClientMsgId, stored.Seq));
    }

    [Fact]
    public async Task A_client_killed_mid_send_leaves_nothing_half_stored_and_its_retry_is_stored_once()
    {
        var conversation = Identifiers.SingleConversation("kill-alice", "kill-bob");
        var clientMsgId = Guid.NewGuid().ToString();
        var request = new SendMessageRequest { ConversationId = conversation, ClientMsgId = clientMsgId, Type = MessageType.Text, Content = "interrupted" };

        await using (var dying = await RawConnection.ConnectAsync(Server.Edge))
        {
            await dying.LoginAsync("kill-alice", Server.TokenFor("kill-alice"));
            var frame = new System.Buffers.ArrayBufferWriter<byte>();
            FrameWriter.Write(frame, CommandCode.SendMessage, FrameFlags.None, 9, request);
            await dying.SendBytesAsync(frame.WrittenMemory[..(frame.WrittenCount - 5)]);
        }

        await using var bob = await ChatUser.ConnectAsync(Server, "kill-bob");
        Assert.Empty((await bob.Client.PullMessagesAsync(conversation)).Messages);

        await using var alice = await ChatUser.ConnectAsync(Server, "kill-alice");
        var ack = await alice.Client.SendAsync(conversation, MessageType.Text, "interrupted", clientMsgId: clientMsgId).WaitAsync(TimeSpan.FromSeconds(15));
        var again = await alice.Client.SendAsync(conversation, MessageType.Text, "interrupted", clientMsgId: clientMsgId).WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(1, ack.Seq);
        Assert.Equal(1, again.Seq);
        await bob.WaitForMessagesAsync(conversation, 1);
        Assert.Single((await bob.Client.PullMessagesAsync(conversation)).Messages);
    }
}
