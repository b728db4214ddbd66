using System.Diagnostics;
using System.Text.Json;

namespace ImOrleans.Integration.Tests;

/// <summary>
/// The load tester pointed at a cluster's navigation endpoint, as its users do with a multi-edge deployment: it opens
/// its sessions on every edge navigation lists, and the 1:1 traffic between them crosses edges without loss.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class LoadTesterAcrossEdgesTests(ITestOutputHelper output)
{
    [IntegrationFact]
    public async Task Chat_through_navigation_spreads_sessions_over_both_edges_and_loses_nothing()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 1, edges: 2);

        var (exitCode, json) = await RunLoadTesterAsync(
            "chat", "--navigation", string.Join(',', cluster.NavigationUrls), "--key", ProcessCluster.SigningKey,
            "--users", "40", "--rate", "200", "--duration", "3", "--warmup", "1", "--json", "--label", "across-edges");

        var report = json.RootElement;
        var edges = report.GetProperty("edges").EnumerateArray().Select(e => e.GetString()).Order().ToList();
        Assert.Equal(cluster.Edges.Select(e => e.Address).Order(), edges);
        Assert.Equal(40, report.GetProperty("sessionsOnline").GetInt32());
        var sent = report.GetProperty("sent").GetInt64();
        Assert.True(sent > 0, "the run sent messages");
        Assert.Equal(sent, report.GetProperty("acked").GetInt64());
        Assert.Equal(sent, report.GetProperty("delivered").GetInt64());
        Assert.Equal(0, report.GetProperty("lost").GetInt64());
        Assert.Equal(0, report.GetProperty("duplicates").GetInt64());
        Assert.Equal(0, exitCode);

        // Sessions take the edges in turn: each edge logged in half of them.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var edge in cluster.Edges)
        {
            var metrics = await http.GetStringAsync(edge.MetricsUrl).WithDeadline();
            Assert.Equal(20, PrometheusText.Sample(metrics, "imorleans_edge_logins_total", "result=\"ok\""));
        }
    }

    /// <summary>Runs the load tester to its end; its exit code and the JSON line it printed last.</summary>
    private async Task<(int ExitCode, JsonDocument Json)> RunLoadTesterAsync(params string[] arguments)
    {
        var (exitCode, _, stdout) = await RunProcessAsync(arguments);
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        Assert.True(line is not null, $"the load tester printed no JSON line (exit {exitCode})");
        return (exitCode, JsonDocument.Parse(line));
    }

    private async Task<(int ExitCode, string Stderr, string Stdout)> RunProcessAsync(string[] arguments)
    {
        Assert.True(File.Exists(ProcessCluster.LoadTesterPath), $"build the load tester first: {ProcessCluster.LoadTesterPath}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ProcessCluster.LoadTesterPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WithDeadline(Deadlines.Long);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var error = await stderr;
        output.WriteLine(error);
        return (process.ExitCode, error, await stdout);
    }
}
