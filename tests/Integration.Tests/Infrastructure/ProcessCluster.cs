using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using ImOrleans.Client;

namespace ImOrleans.Integration.Tests;

/// <summary>
/// Silos and edges as separate processes on loopback, clustered through the test Redis (or one the test started for
/// itself) with a cluster id of their own, storing in a fresh PostgreSQL database: the topology scripts/cluster-up.sh
/// starts, at test scale.
/// Failure detection and navigation reports are tuned to seconds so failover fits in a test.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    public const string SigningKey = "integration-tests-signing-key-0123456789abcdef";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly string _clusterId = "it-" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _database;
    private readonly string _redis;

    private readonly IReadOnlyDictionary<string, string> _edgeSettings;

    private ProcessCluster(string database, string redis, IReadOnlyDictionary<string, string> edgeSettings)
    {
        _database = database;
        _redis = redis;
        _edgeSettings = edgeSettings;
    }

    public List<SiloProcess> Silos { get; } = [];

    public List<EdgeProcess> Edges { get; } = [];

    /// <summary>The built load tester (src/LoadTest), run as a process by the tests that drive the cluster with it.</summary>
    public static string LoadTesterPath => Paths.LoadTester;

    /// <summary>The navigation URLs of every silo, for <see cref="NavigationClient"/>.</summary>
    public IReadOnlyList<Uri> NavigationUrls => [.. Silos.Select(s => s.NavigationUrl)];

    /// <param name="silos">Silo processes.</param>
    /// <param name="edges">Standalone edge processes.</param>
    /// <param name="redis">The cluster's Redis; default the shared test Redis (<see cref="TestServices.RedisVariable"/>).</param>
    /// <param name="edgeSettings">Settings every edge gets on top of the cluster's (e.g. shorter deadlines).</param>
    public static async Task<ProcessCluster> StartAsync(int silos = 2, int edges = 2, string? redis = null, IReadOnlyDictionary<string, string>? edgeSettings = null)
    {
        var shared = TestServices.RequireRedis();
        var cluster = new ProcessCluster(await TestServices.CreateDatabaseAsync("it_cluster"), redis ?? shared, edgeSettings ?? new Dictionary<string, string>());
        try
        {
            // The first silo creates the schema; the second joins an existing cluster (both paths are exercised).
            for (var i = 0; i < silos; i++)
            {
                cluster.Silos.Add(cluster.StartSilo($"silo{i + 1}"));
            }

            await Task.WhenAll(cluster.Silos.Select(s => s.WaitUntilHealthyAsync())).WithDeadline(Deadlines.Long);
            for (var i = 0; i < edges; i++)
            {
                cluster.Edges.Add(cluster.StartEdge($"edge{i + 1}"));
            }

            await cluster.WaitUntilNavigationListsAsync(cluster.Edges).WithDeadline(Deadlines.Long);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public string TokenFor(string userId) => DevTokens.Mint(userId, SigningKey);

    /// <summary>Starts one more edge and waits until navigation lists it beside the live ones (it found the silos' gateways).</summary>
    public async Task<EdgeProcess> AddEdgeAsync(string name)
    {
        var edge = StartEdge(name);
        Edges.Add(edge);
        await WaitUntilNavigationListsAsync([.. Edges.Where(e => !e.Process.HasExited)]).WithDeadline(Deadlines.Long);
        return edge;
    }

    /// <summary>
    /// A PostgreSQL outage for this cluster only: its database refuses new connections and its open ones are cut, for
    /// <paramref name="duration"/>; other tests sharing the server are not touched.
    /// </summary>
    public async Task CutDatabaseAsync(TimeSpan duration)
    {
        var name = new Npgsql.NpgsqlConnectionStringBuilder(_database).Database!;
        var admin = new Npgsql.NpgsqlConnectionStringBuilder(TestServices.RequirePostgres()) { Pooling = false }.ConnectionString;
        await using (var connection = new Npgsql.NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var cut = new Npgsql.NpgsqlCommand(
                $"ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false; " +
                $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'", connection);
            await cut.ExecuteNonQueryAsync();
        }

        await Task.Delay(duration);
        await using (var connection = new Npgsql.NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var restore = new Npgsql.NpgsqlCommand($"ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS true", connection);
            await restore.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Waits until navigation (asked at every live silo) lists exactly these edges.</summary>
    public async Task WaitUntilNavigationListsAsync(IReadOnlyCollection<EdgeProcess> edges)
    {
        var expected = edges.Select(e => e.Address).Order().ToList();
        using var deadline = new CancellationTokenSource(Deadlines.Long);
        while (true)
        {
            var seen = await NavigationAsync();
            if (seen is not null && seen.Select(e => e.Address).Order().SequenceEqual(expected))
            {
                return;
            }

            ThrowIfAnyExited();
            await Task.Delay(200, deadline.Token); // stops polling once the caller's longest deadline has passed
        }
    }

    /// <summary>The navigation answer of the first live silo that gives one.</summary>
    public async Task<List<NavigationEntry>?> NavigationAsync()
    {
        foreach (var silo in Silos.Where(s => !s.Process.HasExited))
        {
            try
            {
                var answer = await Http.GetFromJsonAsync<NavigationAnswer>(silo.NavigationUrl);
                return answer?.Edges ?? [];
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not up yet, or failing over; ask the next one.
            }
        }

        return null;
    }

    public void ThrowIfAnyExited()
    {
        foreach (var process in Silos.Select(s => s.Process).Concat(Edges.Select(e => e.Process)))
        {
            if (process.HasExited && !process.Killed)
            {
                throw new InvalidOperationException($"{process.Name} exited:\n{process.RecentOutput}");
            }
        }
    }

    /// <summary>The last output lines of every process, for a failure message.</summary>
    public string Diagnostics() => string.Join("\n", Silos.Select(s => s.Process).Concat(Edges.Select(e => e.Process))
        .Select(p => $"--- {p.Name}{(p.HasExited ? " (exited)" : "")}:\n{p.RecentOutput}"));

    private SiloProcess StartSilo(string name)
    {
        var (siloPort, gatewayPort, httpPort) = (FreePort(), FreePort(), FreePort());
        var settings = Common(name);
        settings["Cluster:AdvertisedAddress"] = "127.0.0.1";
        settings["Cluster:SiloPort"] = siloPort.ToString();
        settings["Cluster:GatewayPort"] = gatewayPort.ToString();
        settings["Cluster:HostEdge"] = "false";
        settings["Cluster:ProbeTimeout"] = "00:00:01";
        settings["Cluster:MissedProbesLimit"] = "2";
        settings["Http:Port"] = httpPort.ToString();
        settings["Storage:Provider"] = "PostgreSql";
        settings["Storage:ConnectionString"] = _database;
        return new SiloProcess(ServerProcess.Start(name, Paths.Silo, settings), httpPort);
    }

    /// <summary>Starts an edge on <paramref name="port"/> without waiting for it or adding it to <see cref="Edges"/>.</summary>
    public EdgeProcess StartEdgeOn(string name, int port) => StartEdge(name, port);

    private EdgeProcess StartEdge(string name, int? edgePort = null)
    {
        var (port, httpPort) = (edgePort ?? FreePort(), FreePort());
        var settings = Common(name);
        settings["Edge:Port"] = port.ToString();
        settings["Http:Port"] = httpPort.ToString();
        settings["Edge:EdgeId"] = name;
        settings["Navigation:ReportInterval"] = "00:00:00.500";
        settings["Navigation:EntryLifetime"] = "00:00:02";
        foreach (var (key, value) in _edgeSettings)
        {
            settings[key] = value;
        }

        return new EdgeProcess(ServerProcess.Start(name, Paths.Edge, settings), new IPEndPoint(IPAddress.Loopback, port), httpPort);
    }

    private Dictionary<string, string> Common(string name) => new()
    {
        ["Cluster:Clustering"] = "Redis",
        ["Cluster:RedisConnectionString"] = _redis,
        ["Cluster:ClusterId"] = _clusterId,
        ["Cluster:ServiceId"] = _clusterId,
        ["Cluster:ResponseTimeout"] = "00:00:10",
        ["Auth:SigningKey"] = SigningKey,
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Orleans"] = "Error",
        ["Logging:Console:FormatterName"] = "simple",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = $"HH:mm:ss.fff [{name}] ",
    };

    private static int FreePort() => LoopbackPorts.Next();

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Edges.Select(e => e.Process).Concat(Silos.Select(s => s.Process)))
        {
            process.Dispose();
        }

        await TestServices.DropDatabaseAsync(_database);
    }

    internal sealed record NavigationAnswer(List<NavigationEntry>? Edges);

    internal sealed record NavigationEntry(string Id, string Address, int Connections);

    /// <summary>Where the built silo and edge live: next to this test assembly's build, same configuration.</summary>
    private static class Paths
    {
        private static readonly string Root = FindRoot();
        private static readonly string Configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0

        public static string Silo => Path.Combine(Root, "src", "Silo", "bin", Configuration, "net10.0", "ImOrleans.Silo.dll");

        public static string Edge => Path.Combine(Root, "src", "EdgeGateway", "bin", Configuration, "net10.0", "ImOrleans.EdgeGateway.dll");

        public static string LoadTester => Path.Combine(Root, "src", "LoadTest", "bin", Configuration, "net10.0", "ImOrleans.LoadTest.dll");

        private static string FindRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ImOrleans.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("ImOrleans.sln not found above " + AppContext.BaseDirectory);
        }
    }
}

/// <summary>A silo process and its HTTP port (health, navigation).</summary>
internal sealed record SiloProcess(ServerProcess Process, int HttpPort)
{
    public Uri NavigationUrl => new($"http://127.0.0.1:{HttpPort}/navigation");

    public async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var deadline = new CancellationTokenSource(Deadlines.Long);
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"{Process.Name} exited while starting:\n{Process.RecentOutput}");
            }

            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{HttpPort}/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, deadline.Token);
        }
    }
}

/// <summary>An edge process, the endpoint clients connect to and its HTTP port (health, metrics).</summary>
internal sealed record EdgeProcess(ServerProcess Process, IPEndPoint Endpoint, int HttpPort)
{
    public string Address => $"{Endpoint.Address}:{Endpoint.Port}";

    public Uri MetricsUrl => new($"http://127.0.0.1:{HttpPort}/metrics");
}
