using ImOrleans.Grains;
using ImOrleans.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>When a push is lost the client sees a hole in the seqs and pulls the missing range (R15).</summary>
public sealed class GapFillTests
{
    [Fact]
    public async Task A_lost_push_is_noticed_from_the_next_seq_and_pulled()
    {
        // Renew registrations every second so the dropped session comes back quickly.
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string?> { ["Edge:SessionRenewInterval"] = "00:00:01" });
        var conversation = Identifiers.SingleConversation("gap-alice", "gap-bob");
        await using var alice = await ChatUser.ConnectAsync(server, "gap-alice");
        await using var bob = await ChatUser.ConnectAsync(server, "gap-bob");
        await alice.SendAsync("gap-bob", "one");
        await bob.WaitForMessagesAsync(conversation, 1);

        // Drop bob's registration behind the edge's back, as a silo failover would: message two is not pushed.
        var bobGrain = server.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(GrainKeys.User("gap-bob"));
        await bobGrain.Disconnect(bob.Client.SessionId!);
        await alice.SendAsync("gap-bob", "two");
        await WaitForSessionsAsync(bobGrain, 1);
        await alice.SendAsync("gap-bob", "three");

        await bob.WaitForMessagesAsync(conversation, 3);
        Assert.Equal(["one", "two", "three"], bob.MessagesIn(conversation).Select(m => m.Content));
    }

    private static async Task WaitForSessionsAsync(IUserGrain user, int sessions)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while ((await user.GetPresence()).Sessions != sessions)
        {
            Assert.True(DateTime.UtcNow < deadline, "the session did not re-register within the deadline");
            await tick.WaitForNextTickAsync();
        }
    }
}
