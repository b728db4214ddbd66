using ImOrleans.Grains.Hosting;
using ImOrleans.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using static ImOrleans.Grains.Tests.TestExtensions;

namespace ImOrleans.Grains.Tests;

/// <summary>
/// A user grain that comes back on another silo knows nothing of the conversations that push to its user's edges.
/// Once the cluster declares its old silo dead, those conversations stop trusting what it told them and ask again.
/// </summary>
public sealed class SiloDeathTests(TwoSiloClusterFixture fixture) : IClassFixture<TwoSiloClusterFixture>
{
    [Fact]
    public async Task After_the_silo_of_a_members_user_grain_stops_a_session_that_logs_in_on_another_edge_gets_the_next_message()
    {
        var (edge1, edge2) = (TestEdge.Create(fixture), TestEdge.Create(fixture));
        var (primary, secondary) = (fixture.Cluster.Silos[0], fixture.Cluster.Silos[1]);
        var (alice, bob, chat) = await PairPlacedAsync(bobOn: secondary.SiloAddress, chatOn: primary.SiloAddress);
        var alicePhone = await TestSession.ConnectAsync(fixture, alice, "phone", edge1);
        var bobPhone = await TestSession.ConnectAsync(fixture, bob, "phone", edge1);
        await SendUntilTheEdgePushesAsync(chat, alice, alicePhone, bobPhone, edge1);

        var deaths = primary.SiloHost.Services.GetRequiredService<SiloDeaths>();
        await fixture.Cluster.StopSiloAsync(secondary).WithDeadline();
        await WaitForAsync(() => Task.FromResult(deaths.Count), count => count > 0, "the stopped silo declared dead");

        // Bob's user grain comes back on the primary silo, without the conversation among its watchers.
        var laptop = await TestSession.ConnectAsync(fixture, bob, "laptop", edge2);
        var sent = await chat.Send(alice, Text("after the silo stopped")).WithDeadline();

        Assert.Equal(sent.Seq, (await laptop.NextMessageAsync()).Seq);
    }

    /// <summary>A pair whose conversation is active on <paramref name="chatOn"/> and the second user's grain on <paramref name="bobOn"/>.</summary>
    private async Task<(string Alice, string Bob, IConversationGrain Chat)> PairPlacedAsync(SiloAddress bobOn, SiloAddress chatOn)
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var chat = fixture.Conversation(Identifiers.SingleConversation(alice, bob));
        await ActivatedOnAsync(bobOn, () => fixture.User(bob).GetConversations(0, 0));
        await ActivatedOnAsync(chatOn, () => chat.LastSentBy(alice));

        var management = fixture.Client.GetGrain<IManagementGrain>(0);
        Assert.Equal(bobOn, await management.GetActivationAddress(fixture.User(bob)).AsTask().WithDeadline());
        Assert.Equal(chatOn, await management.GetActivationAddress(chat).AsTask().WithDeadline());
        return (alice, bob, chat);
    }

    /// <summary>Makes <paramref name="firstCall"/>, which activates its grain, with a hint to place it on <paramref name="silo"/>.</summary>
    private static async Task ActivatedOnAsync(SiloAddress silo, Func<Task> firstCall)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            await firstCall().WithDeadline();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }
}
