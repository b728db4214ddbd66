using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client.Tests;

/// <summary>The SDK's behaviours (R6, R7, R14-R17) against a scripted edge on a loopback socket.</summary>
public sealed class ImClientTests : IAsyncLifetime
{
    private const string Chat = "s:alice:bob";
    private readonly FakeEdge _edge = new();
    private ImClient _client = null!;
    private ClientEvents _events = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync().AsTask().WaitAsync(ClientEvents.Deadline);
        }

        await _edge.DisposeAsync();
    }

    [Fact]
    public async Task Alice_sends_and_gets_the_ack_but_not_her_own_echo()
    {
        await StartAsync();

        var ack = await _client.SendTextAsync(Chat, "hi bob").WaitAsync(ClientEvents.Deadline);
        await _edge.PushAsync(_edge.Store(Chat, "bob", "hi alice"));

        Assert.Equal(1, ack.Seq);
        Assert.False(ack.Duplicate);
        var first = await _events.NextMessageAsync();
        Assert.Equal((2L, "bob"), (first.Seq, first.SenderId));
    }

    [Fact]
    public async Task A_refused_login_throws_the_servers_code()
    {
        _edge.RequiredToken = "the-right-one";

        var error = await Assert.ThrowsAsync<ImServerException>(() => StartAsync());

        Assert.Equal(ErrorCode.InvalidToken, error.Code);
        Assert.Equal(ImClientState.Disconnected, _client.State);
    }

    [Fact]
    public async Task A_gap_is_pulled_and_every_message_is_raised_once_in_seq_order()
    {
        await StartAsync();
        var m1 = _edge.Store(Chat, "bob", "one");
        var m2 = _edge.Store(Chat, "bob", "two");
        var m3 = _edge.Store(Chat, "bob", "three");

        await _edge.PushAsync(m1);
        await _edge.PushAsync(m3);
        await _edge.PushAsync(m3);

        var pull = (await _edge.NextAsync(CommandCode.PullMessages)).As(PullMessagesRequest.Parser);
        Assert.Equal((2L, 2L), (pull.MinSeq, pull.MaxSeq));
        Assert.Equal([1L, 2L, 3L], await _events.NextSeqsAsync(3));

        await _edge.PushAsync(m2);
        await _edge.PushAsync(_edge.Store(Chat, "bob", "four"));
        Assert.Equal(4, (await _events.NextMessageAsync()).Seq);

        long acked = 0;
        while (acked < 4)
        {
            acked = (await _edge.NextAsync(CommandCode.DeliveryAck)).As(DeliveryAckRequest.Parser).Seq;
        }
    }

    [Fact]
    public async Task A_send_without_an_ack_is_resent_with_the_same_id()
    {
        await StartAsync(o => o with { SendAckTimeout = TimeSpan.FromMilliseconds(300) });
        var swallowed = 0;
        _edge.Intercept = f => Task.FromResult(f.Command == CommandCode.SendMessage && Interlocked.Increment(ref swallowed) == 1);

        var send = _client.SendTextAsync(Chat, "are you there?");

        var first = (await _edge.NextAsync(CommandCode.SendMessage)).As(SendMessageRequest.Parser);
        var second = (await _edge.NextAsync(CommandCode.SendMessage)).As(SendMessageRequest.Parser);
        var ack = await send.WaitAsync(ClientEvents.Deadline);
        Assert.False(first.Resend);
        Assert.True(second.Resend);
        Assert.Equal(first.ClientMsgId, second.ClientMsgId);
        Assert.Equal(1, ack.Seq);
    }

    [Fact]
    public async Task After_a_lost_link_the_client_reconnects_syncs_what_it_missed_and_resends()
    {
        await StartAsync();
        await _edge.PushAsync(_edge.Store(Chat, "bob", "one"));
        Assert.Equal(1, (await _events.NextMessageAsync()).Seq);
        _edge.Intercept = f => Task.FromResult(f.Command == CommandCode.SendMessage && !f.As(SendMessageRequest.Parser).Resend);

        var send = _client.SendTextAsync(Chat, "sent just before the link died");
        var lost = await _edge.NextAsync(CommandCode.SendMessage);
        _edge.Store(Chat, "bob", "two");
        _edge.Store(Chat, "bob", "three");
        lost.Session.Abort();

        Assert.Equal([ImClientState.Reconnecting, ImClientState.Connected], await _events.UntilStateAsync(ImClientState.Connected));
        Assert.Equal([2L, 3L], await _events.NextSeqsAsync(2));
        var resent = (await _edge.NextAsync(CommandCode.SendMessage)).As(SendMessageRequest.Parser);
        Assert.True(resent.Resend);
        Assert.Equal(lost.As(SendMessageRequest.Parser).ClientMsgId, resent.ClientMsgId);
        Assert.Equal(4, (await send.WaitAsync(ClientEvents.Deadline)).Seq);
    }

    [Fact]
    public async Task A_new_client_gets_the_newest_page_of_an_unread_backlog()
    {
        for (var i = 1; i <= 30; i++)
        {
            _edge.Store(Chat, "bob", $"m{i}");
        }

        await StartAsync();

        Assert.Equal(Enumerable.Range(11, 20).Select(i => (long)i), await _events.NextSeqsAsync(20));
    }

    [Fact]
    public async Task Receipts_are_raised_only_when_a_position_moves_forward()
    {
        await StartAsync();
        var session = Assert.Single(_edge.Sessions);

        foreach (var (delivered, read) in new[] { (1L, 0L), (1L, 0L), (3L, 0L), (2L, 0L), (3L, 3L) })
        {
            await session.WriteAsync(CommandCode.ReceiptPush, FrameFlags.Push, 0,
                new ReceiptPush { ConversationId = Chat, UserId = "bob", DeliveredSeq = delivered, ReadSeq = read });
        }

        Assert.Equal((1L, 0L), Positions(await _events.NextReceiptAsync()));
        Assert.Equal((3L, 0L), Positions(await _events.NextReceiptAsync()));
        Assert.Equal((3L, 3L), Positions(await _events.NextReceiptAsync()));

        static (long, long) Positions(ReceiptPush r) => (r.DeliveredSeq, r.ReadSeq);
    }

    [Fact]
    public async Task Marking_read_defaults_to_the_newest_message_received()
    {
        await StartAsync();
        await _edge.PushAsync(_edge.Store(Chat, "bob", "one"));
        await _edge.PushAsync(_edge.Store(Chat, "bob", "two"));
        Assert.Equal([1L, 2L], await _events.NextSeqsAsync(2));

        var result = await _client.MarkReadAsync(Chat).WaitAsync(ClientEvents.Deadline);

        Assert.Equal(2, result.ReadSeq);
    }

    [Fact]
    public async Task Replaced_by_a_new_login_the_client_stops_and_does_not_reconnect()
    {
        await StartAsync();
        var session = Assert.Single(_edge.Sessions);

        await session.WriteAsync(CommandCode.Kick, FrameFlags.Push, 0, new KickNotice { Reason = (uint)KickReason.ReplacedByNewLogin, Message = "signed in elsewhere" });
        session.CloseGracefully();

        Assert.Equal(KickReason.ReplacedByNewLogin, (await _events.NextKickAsync()).Reason);
        Assert.Equal(ImClientState.Kicked, (await _events.UntilStateAsync(ImClientState.Kicked)).Last());
        await Assert.ThrowsAsync<ImConnectionException>(() => _client.SendTextAsync(Chat, "still there?"));
        Assert.Equal(1, _edge.Accepted);
    }

    [Fact]
    public async Task Silence_on_the_link_is_a_dead_link_and_the_client_reconnects()
    {
        await StartAsync(o => o with { HeartbeatInterval = TimeSpan.FromMilliseconds(100), DeadLinkTimeout = TimeSpan.FromMilliseconds(500) });
        Assert.Single(_edge.Sessions).Mute = true;

        await _edge.NextAsync(CommandCode.Heartbeat);
        Assert.Equal([ImClientState.Reconnecting, ImClientState.Connected], await _events.UntilStateAsync(ImClientState.Connected));
        Assert.Equal(2, _edge.Accepted);
    }

    private async Task StartAsync(Func<ImClientOptions, ImClientOptions>? configure = null)
    {
        var options = new ImClientOptions
        {
            UserId = "alice",
            DeviceId = "test",
            Endpoints = [_edge.EndPoint],
            TokenProvider = _ => ValueTask.FromResult("token"),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        };
        _client = new ImClient(configure is null ? options : configure(options));
        _events = new ClientEvents(_client);
        await _client.ConnectAsync().WaitAsync(ClientEvents.Deadline);
        Assert.Equal([ImClientState.Connecting, ImClientState.Connected], await _events.UntilStateAsync(ImClientState.Connected));
    }
}
