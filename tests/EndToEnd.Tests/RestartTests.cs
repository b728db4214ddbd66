using ImOrleans.Protocol;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>The whole process stops and starts again on the same SQLite files.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Restarting_the_server_loses_nothing_that_was_acked_and_seqs_continue()
    {
        await using var server = await TestServer.StartAsync();
        var conversation = Identifiers.SingleConversation("rs-alice", "rs-bob");
        var acked = new List<long>();
        await using (var alice = await ChatUser.ConnectAsync(server, "rs-alice"))
        {
            for (var i = 1; i <= 30; i++)
            {
                acked.Add((await alice.SendAsync("rs-bob", $"before restart {i}")).Seq);
            }

            await using var bob = await ChatUser.ConnectAsync(server, "rs-bob", tune: o => o with { InitialSyncLimit = 100 });
            await bob.WaitForMessagesAsync(conversation, 30);
            await bob.Client.MarkReadAsync(conversation, 10);
        }

        await server.RestartAsync();

        await using var bobAgain = await ChatUser.ConnectAsync(server, "rs-bob", tune: o => o with { InitialSyncLimit = 100 });
        await bobAgain.WaitForMessagesAsync(conversation, 30);
        Assert.Equal(acked, bobAgain.MessagesIn(conversation).Select(m => m.Seq));
        var history = await bobAgain.Client.PullMessagesAsync(conversation, limit: 100);
        Assert.Equal(acked, history.Messages.Select(m => m.Seq));
        var listed = Assert.Single((await bobAgain.Client.GetConversationsAsync()).Conversations);
        Assert.Equal((30L, 10L, 20L), (listed.MaxSeq, listed.ReadSeq, listed.Unread));
        Assert.Equal("before restart 30", listed.LastMessage.Content);

        await using var aliceAgain = await ChatUser.ConnectAsync(server, "rs-alice");
        Assert.Equal(31, (await aliceAgain.SendAsync("rs-bob", "after restart")).Seq);
    }
}
