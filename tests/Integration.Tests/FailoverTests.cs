using ImOrleans.Client;
using ImOrleans.Protocol;

namespace ImOrleans.Integration.Tests;

/// <summary>
/// R28: kill -9 a silo or an edge in the middle of a chat. Every message whose sender got a server ack is stored
/// once and reaches its receiver (pushed, or found by sync); nothing is raised twice.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const int Pairs = 4;
    private static readonly TimeSpan SendInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the Redis crash keeps it down, at least: a few seconds, as a restart by a supervisor takes.</summary>
    private static readonly TimeSpan RedisOutage = TimeSpan.FromSeconds(5);

    [IntegrationFact]
    public async Task Killing_a_silo_while_clients_chat_loses_and_duplicates_nothing()
    {
        await using var cluster = await ProcessCluster.StartAsync();
        var users = await ConnectPairsAsync(cluster, "sk");
        try
        {
            var traffic = new ChatTraffic(users, SendInterval);
            traffic.Start();
            await WaitForAcksAsync(traffic, 40);

            var clock = System.Diagnostics.Stopwatch.StartNew();
            cluster.Silos[0].Process.Kill();
            var atKill = traffic.Acked;
            await WaitForAcksAsync(traffic, atKill + 80);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: 80 more acks after the kill");
            await traffic.StopAsync();
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: traffic stopped, every send acked");

            var report = await traffic.VerifyAsync(TimeSpan.FromSeconds(10));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: silo kill: {report}");
            traffic.Notes.ForEach(output.WriteLine);
            Assert.Equal(report.Sent, report.Acked);
            Assert.Equal(report.Acked, report.Delivered + report.Synced);
        }
        catch (Exception) when (Fail(cluster))
        {
            throw;
        }
        finally
        {
            await DisposeAllAsync(users);
        }
    }

    [IntegrationFact]
    public async Task Killing_an_edge_sends_its_clients_to_the_other_edge_through_navigation_and_loses_nothing()
    {
        await using var cluster = await ProcessCluster.StartAsync();
        var (doomed, survivor) = (cluster.Edges[0], cluster.Edges[1]);
        var users = await ConnectPairsAsync(cluster, "ek");
        try
        {
            var traffic = new ChatTraffic(users, SendInterval);
            traffic.Start();
            await WaitForAcksAsync(traffic, 40);

            doomed.Process.Kill();
            var atKill = traffic.Acked;
            await WaitForAcksAsync(traffic, atKill + 80);
            await traffic.StopAsync();

            // The dead edge drops out of navigation by itself; everybody is on the survivor.
            await cluster.WaitUntilNavigationListsAsync([survivor]).WithDeadline();
            Assert.All(users.SelectMany(p => new[] { p.A, p.B }), u => Assert.Equal(ImClientState.Connected, u.Client.State));
            Assert.All(users.Select(p => p.A), u => Assert.Contains(ImClientState.Reconnecting, u.States));

            var report = await traffic.VerifyAsync(TimeSpan.FromSeconds(10));
            output.WriteLine($"edge kill: {report}");
            traffic.Notes.ForEach(output.WriteLine);
            Assert.Equal(report.Sent, report.Acked);
            Assert.Equal(report.Acked, report.Delivered + report.Synced);
        }
        catch (Exception) when (Fail(cluster))
        {
            throw;
        }
        finally
        {
            await DisposeAllAsync(users);
        }
    }

    [IntegrationFact]
    public async Task A_database_outage_delays_sends_and_loses_nothing_once_the_database_is_back()
    {
        await using var cluster = await ProcessCluster.StartAsync();
        var users = await ConnectPairsAsync(cluster, "db");
        try
        {
            var traffic = new ChatTraffic(users, SendInterval);
            traffic.Start();
            await WaitForAcksAsync(traffic, 40);

            var clock = System.Diagnostics.Stopwatch.StartNew();
            await cluster.CutDatabaseAsync(TimeSpan.FromSeconds(3));
            var atRestore = traffic.Acked;
            await WaitForAcksAsync(traffic, atRestore + 80);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: 80 more acks after the database came back");
            await traffic.StopAsync();

            var report = await traffic.VerifyAsync(TimeSpan.FromSeconds(10));
            output.WriteLine($"database outage: {report}");
            traffic.Notes.ForEach(output.WriteLine);
            Assert.Equal(report.Sent, report.Acked);
            Assert.Equal(report.Acked, report.Delivered + report.Synced);
        }
        catch (Exception) when (Fail(cluster))
        {
            throw;
        }
        finally
        {
            await DisposeAllAsync(users);
        }
    }

    [IntegrationFact]
    public async Task Restarting_redis_while_clients_chat_loses_nothing_and_the_cluster_still_takes_a_new_edge()
    {
        // A Redis of this test's own, persisting like production's must (docs/operations.md), so it can crash it.
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await ProcessCluster.StartAsync(redis: redis.ConnectionString);
        var users = await ConnectPairsAsync(cluster, "rr");
        try
        {
            var traffic = new ChatTraffic(users, SendInterval);
            traffic.Start();
            await WaitForAcksAsync(traffic, 40);

            // Redis holds only membership, which silos and edges cache: chat goes on while it is down.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            redis.Kill();
            var atKill = traffic.Acked;
            await Task.WhenAll(WaitForAcksAsync(traffic, atKill + 80), Task.Delay(RedisOutage));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: Redis down, {traffic.Acked - atKill} acks meanwhile");

            await redis.StartAgainAsync();
            var atRestart = traffic.Acked;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: Redis back on port {redis.Port} with its data");
            await WaitForAcksAsync(traffic, atRestart + 80);

            // The membership table survived the restart: an edge started now finds the silos' gateways in it, and its
            // client chats with one already connected.
            var edge = await cluster.AddEdgeAsync("edge3");
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: a new edge joined through the restarted Redis");
            await using (var carol = await ClusterUser.ConnectAsync(cluster, "rr-carol", edge.Endpoint))
            {
                var alice = users[0].A;
                var conversation = Identifiers.SingleConversation(carol.UserId, alice.UserId);
                await carol.Client.SendTextAsync(conversation, "hello through the new edge").WithDeadline();
                await alice.WaitUntilAsync(u => u.MessagesIn(conversation).Count == 1, "carol's message crossed from the new edge");
            }

            await traffic.StopAsync();
            var report = await traffic.VerifyAsync(TimeSpan.FromSeconds(10));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: redis restart: {report}");
            traffic.Notes.ForEach(output.WriteLine);
            Assert.Equal(report.Sent, report.Acked);
            Assert.Equal(report.Acked, report.Delivered + report.Synced);
        }
        catch (Exception) when (Fail(cluster) || Fail(redis))
        {
            throw;
        }
        finally
        {
            await DisposeAllAsync(users);
        }
    }

    /// <summary>A on the first edge, B on the second, so every message crosses edges.</summary>
    private static async Task<List<(ClusterUser A, ClusterUser B)>> ConnectPairsAsync(ProcessCluster cluster, string prefix)
    {
        var pairs = new List<(ClusterUser, ClusterUser)>();
        for (var i = 0; i < Pairs; i++)
        {
            var a = await ClusterUser.ConnectAsync(cluster, $"{prefix}-a{i}", cluster.Edges[0].Endpoint);
            var b = await ClusterUser.ConnectAsync(cluster, $"{prefix}-b{i}", cluster.Edges[1].Endpoint);
            pairs.Add((a, b));
        }

        return pairs;
    }

    private static async Task WaitForAcksAsync(ChatTraffic traffic, int acked)
    {
        using var deadline = new CancellationTokenSource(Deadlines.Long);
        while (traffic.Acked < acked)
        {
            await Task.Delay(100, deadline.Token);
        }
    }

    private bool Fail(ProcessCluster cluster)
    {
        output.WriteLine(cluster.Diagnostics());
        return false;
    }

    private bool Fail(RedisServer redis)
    {
        output.WriteLine($"--- redis-server:\n{redis.RecentOutput}");
        return false;
    }

    private static async Task DisposeAllAsync(List<(ClusterUser A, ClusterUser B)> users)
    {
        foreach (var (a, b) in users)
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }
}
