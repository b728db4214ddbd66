using ImOrleans.Client;
using ImOrleans.Protocol;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>The SDK's recovery behaviours against the real server: dead links, lost acks, a restarting server.</summary>
public sealed class ResilienceTests
{
    [Fact]
    public async Task A_link_that_goes_dead_is_noticed_the_client_reconnects_and_the_unacked_send_is_stored_once()
    {
        await using var server = await TestServer.StartAsync();
        await using var link = new FlakyLink(server.Edge);
        var conversation = Identifiers.SingleConversation("dl-alice", "dl-bob");
        await using var bob = await ChatUser.ConnectAsync(server, "dl-bob");
        await using var alice = await ChatUser.ConnectAsync(server, "dl-alice", tune: o => o with
        {
            Endpoints = [link.Endpoint],
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            DeadLinkTimeout = TimeSpan.FromSeconds(1.5),
            SendAckTimeout = TimeSpan.FromSeconds(1),
        });
        var firstSession = alice.Client.SessionId;

        // The network eats everything the server says to alice: her send is stored but its ack never arrives.
        link.DropServerToClientOnOpenLinks();
        var ack = await alice.SendAsync("dl-bob", "through the fog");

        Assert.Equal((1L, true), (ack.Seq, ack.Duplicate));
        Assert.NotEqual(firstSession, alice.Client.SessionId);
        await bob.WaitForMessagesAsync(conversation, 1);
        Assert.Single((await bob.Client.PullMessagesAsync(conversation)).Messages);
        Assert.Single(bob.MessagesIn(conversation));
    }

    [Fact]
    public async Task Connected_clients_ride_out_a_server_restart_and_catch_up()
    {
        await using var server = await TestServer.StartAsync();
        var port = server.Edge.Port;
        var conversation = Identifiers.SingleConversation("rr-alice", "rr-bob");
        await using var alice = await ChatUser.ConnectAsync(server, "rr-alice");
        await using var bob = await ChatUser.ConnectAsync(server, "rr-bob");
        await alice.SendAsync("rr-bob", "before");
        await bob.WaitForMessagesAsync(conversation, 1);

        await server.RestartAsync(new Dictionary<string, string?> { ["Edge:Port"] = port.ToString() });
        var sent = await alice.SendAsync("rr-bob", "after");

        Assert.Equal(2, sent.Seq);
        await bob.WaitForMessagesAsync(conversation, 2);
        Assert.Equal(["before", "after"], bob.MessagesIn(conversation).Select(m => m.Content));
        await bob.WaitUntilAsync(u => u.Client.State == ImClientState.Connected, "bob is connected again");
    }
}
