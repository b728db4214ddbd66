using System.Net;
using System.Net.Sockets;
using ImOrleans.Silo;
using Microsoft.Extensions.DependencyInjection;

namespace ImOrleans.LoadTest.Tests;

/// <summary>The real system (silo + co-hosted edge) in this process, on free ports and a data folder of its own.</summary>
public sealed class LoadTestServer : IAsyncLifetime
{
    public const string SigningKey = "load-tester-tests-signing-key-0123456789abcdef";

    private ImOrleansServer? _server;
    private string _dataDirectory = "";

    public IPEndPoint Edge => _server?.EdgeEndpoint ?? throw new InvalidOperationException("server not started");

    public int ProcessId => Environment.ProcessId;

    /// <summary>The silo's grains, to check what the server recorded of a run.</summary>
    public IGrainFactory Grains => _server?.Services.GetRequiredService<IGrainFactory>() ?? throw new InvalidOperationException("server not started");

    /// <summary>The silo's navigation endpoint (GET /navigation on its HTTP listener).</summary>
    public Uri Navigation => new($"http://{_server?.HttpEndpoint ?? throw new InvalidOperationException("server not started")}/navigation");

    public async Task InitializeAsync()
    {
        _dataDirectory = Directory.CreateTempSubdirectory("imorleans-loadtest-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Cluster:ClusterId"] = "lt-" + Guid.NewGuid().ToString("N")[..8],
            ["Cluster:SiloPort"] = FreePort().ToString(),
            ["Cluster:GatewayPort"] = FreePort().ToString(),
            ["Storage:DataDirectory"] = _dataDirectory,
            ["Edge:Port"] = "0",
            ["Http:Port"] = "0",
            ["Auth:SigningKey"] = SigningKey,
            ["Logging:LogLevel:Default"] = "Warning",
            // The closed loop refills a sender's window on the server's ack, not on delivery, and here the load
            // tester's readers share this process's two cores with the server: on a busy CI machine a receiver fell
            // more than the default 1,024 frames behind and the edge dropped it as a slow consumer. These tests check
            // the load tester's counts; the slow-consumer policy has its own end-to-end test (SlowConsumerTests).
            ["Edge:OutboundQueueCapacity"] = "65536",
        };
        _server = ImOrleansServer.Create([], settings);
        await _server.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing connection; the temp folder is cleaned by the OS eventually.
        }
    }

    /// <summary>Settings for a short run against this server.</summary>
    internal LoadTestSettings Settings(int users, double seconds) => new()
    {
        Servers = [Edge],
        SigningKey = SigningKey,
        Users = users,
        Duration = TimeSpan.FromSeconds(seconds),
        Warmup = TimeSpan.FromMilliseconds(500),
        Drain = TimeSpan.FromSeconds(30),
        ServerPid = ProcessId,
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class LoadTestServerCollection : ICollectionFixture<LoadTestServer>
{
    public const string Name = "load test server";
}
