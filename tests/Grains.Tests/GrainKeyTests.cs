using ImOrleans.Protocol;
using static ImOrleans.Grains.Tests.TestExtensions;

namespace ImOrleans.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class GrainKeyTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Users_whose_ids_differ_only_in_case_of_hex_digits_stay_distinct_in_storage()
    {
        // ADO.NET storage reads a bare key like "c1" as the number 0xC1, so "c1" and "C1" would
        // share a row; the "user:" prefix keeps them apart. Checked after a reload from storage.
        var (lower, upper) = ("c1", "C1");
        var (friendOfLower, friendOfUpper) = (NewUser("x"), NewUser("y"));
        await fixture.Conversation(Identifiers.SingleConversation(lower, friendOfLower)).Send(lower, Text("from c1")).WithDeadline();
        await fixture.Conversation(Identifiers.SingleConversation(upper, friendOfUpper)).Send(upper, Text("from C1")).WithDeadline();

        await fixture.Cluster.DeactivateAsync(fixture.User(lower)).WithDeadline();
        await fixture.Cluster.DeactivateAsync(fixture.User(upper)).WithDeadline();

        var lowersList = await fixture.User(lower).GetConversations(0, 0).WithDeadline();
        var uppersList = await fixture.User(upper).GetConversations(0, 0).WithDeadline();
        Assert.Equal([friendOfLower], lowersList.Items.Select(c => c.PeerId));
        Assert.Equal([friendOfUpper], uppersList.Items.Select(c => c.PeerId));
    }
}
