using ImOrleans.Protocol;

namespace ImOrleans.Integration.Tests;

/// <summary>Two silos and two edges in separate processes on Redis clustering and PostgreSQL storage (R27, R8).</summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class CrossEdgeChatTests(ITestOutputHelper output)
{
    [IntegrationFact]
    public async Task Users_on_different_edges_chat_one_to_one_and_in_a_group_and_navigation_sends_a_new_client_to_the_least_loaded_edge()
    {
        await using var cluster = await ProcessCluster.StartAsync();
        var (edge1, edge2) = (cluster.Edges[0], cluster.Edges[1]);
        var conversation = Identifiers.SingleConversation("x-alice", "x-bob");
        await using var alice = await ClusterUser.ConnectAsync(cluster, "x-alice", edge1.Endpoint);
        await using var carol = await ClusterUser.ConnectAsync(cluster, "x-carol", edge1.Endpoint);
        await using var bob = await ClusterUser.ConnectAsync(cluster, "x-bob", edge2.Endpoint);

        var first = await alice.Client.SendTextAsync(conversation, "hello from edge 1").WithDeadline();
        await bob.WaitUntilAsync(u => u.MessagesIn(conversation).Count == 1, "alice's message crossed edges");
        var reply = await bob.Client.SendTextAsync(conversation, "hello from edge 2").WithDeadline();
        await alice.WaitUntilAsync(u => u.MessagesIn(conversation).Count == 1, "bob's reply crossed edges");

        Assert.Equal((1L, 2L), (first.Seq, reply.Seq));
        Assert.Equal("hello from edge 1", bob.MessagesIn(conversation)[0].Content);
        Assert.Equal("hello from edge 2", alice.MessagesIn(conversation)[0].Content);

        // Bob's second device logs in on the other edge while the conversation is in use: the conversation pushes to
        // the edges holding bob's sessions, and learns of this one before the login is answered.
        await using (var bobLaptop = await ClusterUser.ConnectAsync(cluster, "x-bob", edge1.Endpoint, deviceId: "laptop"))
        {
            var third = await alice.Client.SendTextAsync(conversation, "to both of bob's devices").WithDeadline();
            foreach (var device in new[] { bob, bobLaptop })
            {
                await device.WaitUntilAsync(u => u.MessagesIn(conversation).Any(m => m.Seq == third.Seq), "alice's message reached each of bob's devices");
            }
        }

        // A group with members on both edges: one send reaches every member wherever they are connected (R13, R27).
        var group = (await alice.Client.CreateGroupAsync("across edges", ["x-bob", "x-carol"], groupId: "x-group").WithDeadline()).Group;
        var groupConversation = Identifiers.GroupConversation(group.GroupId);
        await alice.Client.SendTextAsync(groupConversation, "hello, group").WithDeadline();
        foreach (var member in new[] { bob, carol })
        {
            await member.WaitUntilAsync(u => u.MessagesIn(groupConversation).Any(m => m.Content == "hello, group"), "the group message crossed edges");
        }

        // Edge 1 holds two connections, edge 2 one: once both have reported, navigation lists edge 2 first.
        List<ProcessCluster.NavigationEntry>? navigation = null;
        await Deadlines.WaitUntilAsync(async () => (navigation = await cluster.NavigationAsync()) is [{ Connections: 1 }, { Connections: 2 }], "edges report their load");
        output.WriteLine(string.Join(", ", navigation!.Select(e => $"{e.Id} {e.Address} {e.Connections}")));
        Assert.Equal([edge2.Address, edge1.Address], navigation!.Select(e => e.Address));

        await using var dave = await ClusterUser.ConnectAsync(cluster, "x-dave");
        await Deadlines.WaitUntilAsync(async () => await cluster.NavigationAsync() is [{ Connections: 2 }, { Connections: 2 }], "dave is counted on edge 2");

        // Each edge process serves its own metrics: its sessions, logins, requests and pushes.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var edge in new[] { edge1, edge2 })
        {
            string metrics = "";
            await Deadlines.WaitUntilAsync(async () => PrometheusText.Sample(metrics = await http.GetStringAsync(edge.MetricsUrl), "imorleans_edge_sessions") == 2, $"{edge.Address} reports its two sessions");
            Assert.True(PrometheusText.Sample(metrics, "imorleans_edge_logins_total", "result=\"ok\"") >= 2, metrics);
            Assert.True(PrometheusText.Sample(metrics, "imorleans_edge_request_duration_milliseconds_count", "command=\"SendMessage\"") >= 1, metrics);
            Assert.True(PrometheusText.Sample(metrics, "imorleans_edge_pushes_total") >= 1, metrics);
        }
    }
}
