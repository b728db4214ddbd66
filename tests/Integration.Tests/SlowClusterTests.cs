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

    [IntegrationFact]
    public async Task Renewals_that_fail_while_the_silo_is_stopped_back_off_and_the_session_survives_the_outage()
    {
        // Renew every 4 s and give a grain call half a second. Without the back-off a failed renewal is tried again
        // at the next sweep (every 100 ms), about once a second while the silo is stopped; with it, 1.6-2.4 s after
        // the first failure and 3.2-4.8 s after each later one (2, 4, 8 s ... capped at the renew interval, with a
        // fifth of jitter either way): at most four failures fit in the outage.
        await using var cluster = await ProcessCluster.StartAsync(silos: 1, edges: 1, edgeSettings: new Dictionary<string, string>
        {
            ["Edge:SessionRenewInterval"] = "00:00:04",
            ["Edge:SweepInterval"] = "00:00:00.100",
            ["Cluster:ResponseTimeout"] = "00:00:00.500",
        });
        var (silo, edge) = (cluster.Silos[0].Process, cluster.Edges[0]);
        await using var user = await ClusterUser.ConnectAsync(cluster, "slow-renewer", edge.Endpoint);
        var failedBefore = FailedRenewals(await Http.GetStringAsync(edge.MetricsUrl));

        silo.Pause();
        try
        {
            await Task.Delay(Outage);
        }
        finally
        {
            silo.Resume();
        }

        var failed = FailedRenewals(await Http.GetStringAsync(edge.MetricsUrl)) - failedBefore;
        Console.WriteLine($"renewals failed in {Outage.TotalSeconds} s: {failed}");
        Assert.True(failed >= 1, $"{failed} renewals failed while the silo was stopped: the session did not renew, or not again");
        Assert.True(failed <= 5, $"{failed} renewals failed in {Outage.TotalSeconds} s: they did not back off");

        // Once the silo answers again the session renews, and the client never lost its connection.
        await Deadlines.WaitUntilAsync(async () =>
            PrometheusText.Sample(await Http.GetStringAsync(edge.MetricsUrl), "imorleans_edge_session_renewals_total", "result=\"ok\"") >= 1,
            "a renewal succeeds after the outage");
        Assert.Equal(ImClientState.Connected, user.Client.State);
        Assert.DoesNotContain(ImClientState.Reconnecting, user.States);
    }

    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(12);

    private static double FailedRenewals(string metrics) =>
        Math.Max(0, PrometheusText.Sample(metrics, "imorleans_edge_session_renewals_total", "result=\"failed\""));
}
