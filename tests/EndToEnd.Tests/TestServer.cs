using System.Net;
using System.Net.Sockets;
using ImOrleans.Silo;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>The real system (silo + co-hosted edge) in this process, on free ports and a data folder of its own.</summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string SigningKey = "end-to-end-tests-signing-key-0123456789abcdef";

    /// <summary>The key business services send to the notice API (header X-Service-Key).</summary>
    public const string NoticeServiceKey = "end-to-end-notice-service-key";

    private ImOrleansServer _server;

    private TestServer(ImOrleansServer server, string dataDirectory)
    {
        _server = server;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public IServiceProvider Services => _server.Services;

    public IPEndPoint Edge => _server.EdgeEndpoint ?? throw new InvalidOperationException("server not started");

    public string EdgeAddress => $"{Edge.Address}:{Edge.Port}";

    /// <summary>The HTTP listener (health, notice API).</summary>
    public IPEndPoint Http => _server.HttpEndpoint ?? throw new InvalidOperationException("server not started");

    public static async Task<TestServer> StartAsync(string? dataDirectory = null, IDictionary<string, string?>? settings = null)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("imorleans-e2e-").FullName;
        var server = await StartServerAsync(dataDirectory, settings);
        return new TestServer(server, dataDirectory);
    }

    /// <summary>Stops the process's server and starts a new one on the same data folder (a restart).</summary>
    public async Task RestartAsync(IDictionary<string, string?>? settings = null)
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
        _server = await StartServerAsync(DataDirectory, settings);
    }

    public string TokenFor(string userId) => Client.DevTokens.Mint(userId, SigningKey);

    private static async Task<ImOrleansServer> StartServerAsync(string dataDirectory, IDictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cluster:ClusterId"] = "e2e-" + Guid.NewGuid().ToString("N")[..8],
            ["Cluster:SiloPort"] = FreePort().ToString(),
            ["Cluster:GatewayPort"] = FreePort().ToString(),
            ["Storage:DataDirectory"] = dataDirectory,
            ["Edge:Port"] = "0",
            ["Http:Port"] = "0",
            ["Auth:SigningKey"] = SigningKey,
            ["Notices:ServiceKey"] = NoticeServiceKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var server = ImOrleansServer.Create([], settings);
        await server.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing connection; the temp folder is cleaned by the OS eventually.
        }
    }
}
