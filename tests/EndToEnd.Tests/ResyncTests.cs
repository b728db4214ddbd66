using ImOrleans.EdgeGateway;
using ImOrleans.Grains;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>
/// A user grain that comes back without its sessions (its silo died) pushes nothing to them until the edge registers
/// them again. The edge then tells the client to sync (Resync, 0x0304), so what was stored in between arrives at once
/// instead of at the client's next gap or reconnect. A 1:1 conversation pushes to its members' edges itself, so its
/// messages reach the receiver and the sender's other devices even before that.
/// </summary>
public sealed class ResyncTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_notice_stored_while_the_user_grain_had_lost_the_session_arrives_as_soon_as_the_session_registers_again()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await ChatUser.ConnectAsync(server, "rs-bob");
        var session = bob.Client.SessionId;
        var bobGrain = UserGrain(server, "rs-bob");

        // Bob's user grain goes away and comes back without his session, as after a silo failover.
        await LoseSessionsAsync(bobGrain);

        // A notice is stored: notices reach their user's sessions through the user grain, which knows none of his now.
        var notices = server.Services.GetRequiredService<IGrainFactory>().GetGrain<IConversationGrain>(Identifiers.NoticeConversation("rs-bob"));
        await notices.PostNotice("billing", new OutgoingMessage { ClientMsgId = "invoice-1", Type = MessageType.Text, Content = "your invoice", ClientTimeMs = 1 });
        Assert.Equal(0, (await bobGrain.GetPresence()).Sessions);

        // The edge re-registers its sessions, as when it notices a lost silo.
        EdgeGatewayHosting.RenewSessionsSoon(server.Services);
        await bob.WaitUntilAsync(u => u.Notices.Count == 1, "the notice after the session registered again");

        Assert.Equal("your invoice", bob.Notices.Single().Content);
        Assert.Equal(session, bob.Client.SessionId); // the same link: no reconnect (and its sync) brought it
        Assert.Equal(1, (await bobGrain.GetPresence()).Sessions);
    }

    [Fact]
    public async Task The_senders_other_device_gets_their_message_while_their_user_grain_has_lost_its_session()
    {
        await using var server = await TestServer.StartAsync();
        var conversation = Identifiers.SingleConversation("rs-alice", "rs-bob");
        await using var alice = await ChatUser.ConnectAsync(server, "rs-alice");
        await using var bobPhone = await ChatUser.ConnectAsync(server, "rs-bob");
        await using var bobLaptop = await ChatUser.ConnectAsync(server, "rs-bob", deviceId: "laptop");
        await alice.SendAsync("rs-bob", "before");
        await bobPhone.WaitForMessagesAsync(conversation, 1);
        var bobGrain = UserGrain(server, "rs-bob");
        await LoseSessionsAsync(bobGrain);

        // The conversation pushes to the edges of both members' sessions itself, the sender's other devices included.
        await bobLaptop.SendAsync("rs-alice", "from my laptop");
        await bobPhone.WaitForMessagesAsync(conversation, 2);

        Assert.Equal(["before", "from my laptop"], bobPhone.MessagesIn(conversation).Select(m => m.Content));
        Assert.Equal(0, (await bobGrain.GetPresence()).Sessions); // pushed by the conversation, not after a re-registration
    }

    [Fact]
    public async Task A_one_to_one_message_reaches_a_receiver_whose_user_grain_lost_the_session_without_waiting_for_it()
    {
        await using var server = await TestServer.StartAsync();
        var conversation = Identifiers.SingleConversation("rs-carol", "rs-dave");
        await using var carol = await ChatUser.ConnectAsync(server, "rs-carol");
        await using var dave = await ChatUser.ConnectAsync(server, "rs-dave");
        await carol.SendAsync("rs-dave", "before");
        await dave.WaitForMessagesAsync(conversation, 1);
        var daveGrain = UserGrain(server, "rs-dave");
        await LoseSessionsAsync(daveGrain);

        await carol.SendAsync("rs-dave", "while the grain had lost him");
        await dave.WaitForMessagesAsync(conversation, 2);

        Assert.Equal(["before", "while the grain had lost him"], dave.MessagesIn(conversation).Select(m => m.Content));
        Assert.Equal(0, (await daveGrain.GetPresence()).Sessions); // pushed by the conversation, not after a re-registration
    }

    [Fact]
    public async Task The_resync_push_has_the_push_flag_request_id_0_and_a_reason_and_clients_cannot_send_it()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawConnection.ConnectAsync(server.Edge);
        await client.LoginAsync("rs-raw", server.TokenFor("rs-raw"));

        await LoseSessionsAsync(UserGrain(server, "rs-raw"));
        EdgeGatewayHosting.RenewSessionsSoon(server.Services);

        var (header, body) = await client.ReadFrameAsync();
        Assert.Equal((CommandCode.Resync, FrameFlags.Push, 0u), (header.Command, header.Flags, header.RequestId));
        Assert.NotEmpty(ResyncNotice.Parser.ParseFrom(body).Reason);

        // A push code is not a request.
        var id = await client.SendAsync(CommandCode.Resync, new ResyncNotice());
        Assert.Equal((uint)ErrorCode.UnknownCommand, (await client.ReadErrorAsync(id)).Code);
    }

    private static IUserGrain UserGrain(TestServer server, string userId) =>
        server.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(GrainKeys.User(userId));

    /// <summary>Deactivates the user grain; its next activation starts with no session, like one that failed over.</summary>
    private static async Task LoseSessionsAsync(IUserGrain user)
    {
        await user.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await WaitUntilAsync(async () => (await user.GetPresence()).Sessions == 0, "the user grain came back without the session");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!await condition())
        {
            try
            {
                await tick.WaitForNextTickAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out waiting until {what}");
            }
        }
    }
}
