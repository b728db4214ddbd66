using System.Net;
using System.Net.Sockets;

namespace ImOrleans.Integration.Tests;

/// <summary>Navigation lists an edge only once clients can connect to it (R8).</summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class EdgeStartupTests
{
    [IntegrationFact]
    public async Task An_edge_whose_port_is_taken_exits_without_ever_being_listed_in_navigation()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 1, edges: 1);
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;

        // The edge joins the cluster, then cannot bind its port and stops. Its settings name that port from the start,
        // so an edge reporting before it listened was listed (and clients sent to a port that refused them).
        var blocked = cluster.StartEdgeOn("edge-blocked", taken);
        using var blockedProcess = blocked.Process;
        using var deadline = new CancellationTokenSource(Deadlines.Long);
        while (!blocked.Process.HasExited)
        {
            var listed = await cluster.NavigationAsync();
            Assert.DoesNotContain(blocked.Address, listed?.Select(e => e.Address) ?? []);
            await Task.Delay(50, deadline.Token); // polls until the process exits or the deadline passes
        }

        var after = await cluster.NavigationAsync();
        Assert.Equal([cluster.Edges[0].Address], after!.Select(e => e.Address));
    }
}
