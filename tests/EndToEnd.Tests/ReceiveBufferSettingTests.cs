using ImOrleans.Protocol;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>
/// <c>Edge:ReceiveBufferWhileIdle</c>, the throughput-first setting (docs/operations.md): it reaches Kestrel's socket
/// transport, and clients see no difference.
/// </summary>
public sealed class ReceiveBufferSettingTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Edge:ReceiveBufferWhileIdle"] = "true",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task With_a_receive_buffer_per_idle_connection_messages_still_flow_both_ways()
    {
        Assert.False(_server.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.WaitForDataBeforeAllocatingBuffer);
        await using var alice = await ChatUser.ConnectAsync(_server, "rb-alice");
        await using var bob = await ChatUser.ConnectAsync(_server, "rb-bob");
        var conversation = Identifiers.SingleConversation("rb-alice", "rb-bob");

        var first = await alice.SendAsync("rb-bob", "are you there?");
        await bob.WaitForMessagesAsync(conversation, 1);
        var reply = await bob.SendAsync("rb-alice", "yes");
        await alice.WaitForMessagesAsync(conversation, 1);

        Assert.Equal((1L, 2L), (first.Seq, reply.Seq));
        Assert.Equal("are you there?", Assert.Single(bob.MessagesIn(conversation)).Content);
        Assert.Equal("yes", Assert.Single(alice.MessagesIn(conversation)).Content);
    }
}
