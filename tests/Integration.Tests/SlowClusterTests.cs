using ImOrleans.Client;

namespace ImOrleans.Integration.Tests;

/// <summary>
/// The edge's deadlines when the cluster behind it is slow, not the client (R3): a silo that stops answering for
/// longer than the handshake timeout (a hung machine, a long pause) must not cost a client that logged in on time
/// its connection.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class SlowClusterTests(ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(2);

    [IntegrationFact]
    public async Task A_login_the_silo_answers_only_after_the_handshake_timeout_keeps_its_connection()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 1, edges: 1, edgeSettings: new Dictionary<string, string>
        {
            ["Edge:HandshakeTimeout"] = HandshakeTimeout.ToString(),
            ["Edge:SweepInterval"] = "00:00:00.200",
        });
        var (silo, edge) = (cluster.Silos[0].Process, cluster.Edges[0]);

        silo.Pause();
        Task<ClusterUser> connecting;
        try
        {
            connecting = ClusterUser.ConnectAsync(cluster, "slow-login", edge.Endpoint);

            // The outage: the login waits on the stopped silo for twice the handshake timeout, which the edge's
            // sweeper (every 200 ms) would enforce if it counted time the server spends on a login.
            await Task.Delay(HandshakeTimeout * 2);
            Assert.False(connecting.IsCompleted, "the login was answered while the silo was stopped");
        }
        finally
        {
            silo.Resume();
        }

        await using var user = await connecting;
        var metrics = await Http.GetStringAsync(edge.MetricsUrl);
        output.WriteLine($"states: {string.Join(", ", user.States)}");

        Assert.Equal(ImClientState.Connected, user.Client.State);
        Assert.DoesNotContain(ImClientState.Reconnecting, user.States);
        Assert.DoesNotContain("reason=\"handshake_timeout\"", metrics);
        Assert.Contains("result=\"ok\"", metrics);
    }
}
