using System.Net;
using ImOrleans.EdgeGateway;
using ImOrleans.Grains.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ImOrleans.Silo;

/// <summary>
/// The whole system in one process: an Orleans silo with grain state and messages in the configured
/// store, and the edge gateway co-hosted on the same Kestrel host. Used by Program.cs and by tests.
/// </summary>
public sealed class ImOrleansServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Listeners _listeners;

    private ImOrleansServer(WebApplication app, Listeners listeners)
    {
        _app = app;
        _listeners = listeners;
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>True when clients' tokens are checked against the development key shipped in appsettings.json.</summary>
    public bool UsesDevelopmentSigningKey => EdgeGatewayHosting.UsesDevelopmentSigningKey(_app.Configuration);

    /// <summary>The client TCP endpoint of the co-hosted edge (with the real port when 0 was configured).</summary>
    public IPEndPoint? EdgeEndpoint { get; private set; }

    /// <summary>The HTTP endpoint (health, and the server-side APIs), with the real port when 0 was configured.</summary>
    public IPEndPoint? HttpEndpoint { get; private set; }

    /// <summary>
    /// Reads configuration (appsettings.json, environment variables, command line, then
    /// <paramref name="overrides"/>), validates it, and builds the host. Throws <see cref="InvalidSettingsException"/>
    /// listing every problem.
    /// </summary>
    public static ImOrleansServer Create(string[] args, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        var configuration = builder.Configuration;
        var silo = configuration.GetSection(SiloOptions.SectionName).Get<SiloOptions>() ?? new();
        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new();
        var http = configuration.GetSection(HttpOptions.SectionName).Get<HttpOptions>() ?? new();
        var problems = silo.Validate().Concat(storage.Validate()).Concat(http.Validate())
            .Concat(silo.HostEdge ? EdgeGatewayHosting.ValidateSettings(configuration) : []).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidSettingsException(problems);
        }

        builder.UseOrleans(orleans =>
        {
            orleans.UseImOrleansCluster(silo);
            try
            {
                orleans.AddImOrleansGrains(storage);
            }
            catch (InvalidOperationException ex)
            {
                // The database is unreachable or refused the schema: one clear line instead of a host crash.
                throw new InvalidSettingsException([ex.Message]);
            }
        });

        var listeners = new Listeners();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (silo.HostEdge)
            {
                listeners.Edge = kestrel.ListenEdgeGateway(configuration);
            }

            kestrel.Listen(IPAddress.Parse(http.ListenAddress), http.Port, listen => listeners.Http = listen);
        });
        if (silo.HostEdge)
        {
            builder.Services.AddEdgeGateway(configuration);
        }

        builder.AddSiloTelemetry(silo.HostEdge);
        var app = builder.Build();
        if (silo.HostEdge)
        {
            // The user grains a dead silo hosted come back elsewhere without their sessions: every session of this edge
            // renews its registration at once instead of at its next renewal. (A standalone edge learns the same from
            // its gateway connections, see EdgeGatewayHosting.UseEdgeCluster.)
            app.Services.GetRequiredService<SiloDeaths>().Died += () => EdgeGatewayHosting.RenewSessionsSoon(app.Services);
        }

        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapSiloTelemetry();
        app.MapNoticeApi();
        app.MapNavigation();
        return new ImOrleansServer(app, listeners);
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken);
        EdgeEndpoint = _listeners.Edge?.IPEndPoint;
        HttpEndpoint = _listeners.Http?.IPEndPoint;
    }

    /// <summary>Kestrel fills in the real port of a port-0 listener here once it is bound.</summary>
    private sealed class Listeners
    {
        public ListenOptions? Edge { get; set; }

        public ListenOptions? Http { get; set; }
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
