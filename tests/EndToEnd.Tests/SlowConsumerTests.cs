using ImOrleans.Grains;
using ImOrleans.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>
/// A client that stops reading fills its connection's outbound queue: the edge closes that connection, keeps serving
/// everyone else, and the client finds everything stored when it comes back (docs/architecture.md, "Sessions").
/// </summary>
public sealed class SlowConsumerTests : IAsyncLifetime
{
    private const int QueueCapacity = 16;
    private const int MostSends = 3000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Edge:OutboundQueueCapacity"] = QueueCapacity.ToString(),
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_client_that_stops_reading_is_disconnected_and_finds_every_message_stored_when_it_returns()
    {
        var bobGrain = _server.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(GrainKeys.User("sc-bob"));
        await using var stalled = await RawConnection.ConnectAsync(_server.Edge, receiveBufferSize: 4096);
        await stalled.LoginAsync("sc-bob", _server.TokenFor("sc-bob"));
        await using var alice = await ChatUser.ConnectAsync(_server, "sc-alice");
        var text = new string('x', 8 * 1024);

        // Bob reads nothing from here on. Alice writes until the edge gives up on his connection (he goes offline).
        var sent = 0;
        using var timeout = new CancellationTokenSource(Deadline);
        while ((await bobGrain.GetPresence()).Online)
        {
            Assert.False(timeout.IsCancellationRequested, $"bob's connection was still open after {sent} messages");
            Assert.True(sent < MostSends, $"bob's connection was still open after {sent} messages");
            for (var i = 0; i < 20; i++)
            {
                var ack = await alice.SendAsync("sc-bob", $"{sent} {text}");
                Assert.True(ack.Seq > 0);
                sent++;
            }
        }

        // Closed by the server: what was queued arrives, then the end of the stream.
        await stalled.WaitClosedAsync();

        // Alice was served throughout and still is.
        var after = await alice.SendAsync("sc-bob", "after the slow consumer was dropped");
        Assert.Equal(sent + 1, after.Seq);

        // Bob comes back on the SDK and syncs every message, the ones his stalled connection never read included.
        await using var bob = await ChatUser.ConnectAsync(_server, "sc-bob", tune: o => o with { InitialSyncLimit = sent + 1 });
        var conversation = Identifiers.SingleConversation("sc-alice", "sc-bob");
        await bob.WaitForMessagesAsync(conversation, sent + 1);
        Assert.Equal(Enumerable.Range(1, sent + 1).Select(s => (long)s), bob.MessagesIn(conversation).Select(m => m.Seq).Order());
    }
}
