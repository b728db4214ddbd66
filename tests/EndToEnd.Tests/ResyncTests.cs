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
/// instead of at the client's next gap or reconnect.
/// </summary>
public sealed class ResyncTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_message_stored_while_the_user_grain_had_lost_the_session_arrives_as_soon_as_the_session_registers_again()
    {
        await using var server = await TestServer.StartAsync();
        var conversation = Identifiers.SingleConversation("rs-alice", "rs-bob");
        await using var alice = await ChatUser.ConnectAsync(server, "rs-alice");
        await using var bob = await ChatUser.ConnectAsync(server, "rs-bob");
        await alice.SendAsync("rs-bob", "before");
        await bob.WaitForMessagesAsync(conversation, 1);
        var session = bob.Client.SessionId;
        var bobGrain = UserGrain(server, "rs-bob");

        // Bob's user grain goes away and comes back without his session, as after a silo failover.
        await LoseSessionsAsync(bobGrain);

        // Stored and in bob's conversation list, but pushed to nobody: the grain knows no session of his.
        var ack = await alice.SendAsync("rs-bob", "while the grain had lost him");
        await WaitUntilAsync(
            async () => (await bobGrain.GetConversations(20, 0)).Items.Any(c => c.ConversationId == conversation && c.MaxSeq >= ack.Seq),
            "bob's user grain recorded the message");
        Assert.Equal(0, (await bobGrain.GetPresence()).Sessions);

        // The edge re-registers its sessions, as when it notices a lost silo. Bob sends nothing himself.
        EdgeGatewayHosting.RenewSessionsSoon(server.Services);
        await bob.WaitForMessagesAsync(conversation, 2);

        Assert.Equal(["before", "while the grain had lost him"], bob.MessagesIn(conversation).Select(m => m.Content));
        Assert.Equal(session, bob.Client.SessionId); // the same link: no reconnect (and its sync) brought it
        Assert.Equal(1, (await bobGrain.GetPresence()).Sessions);
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
