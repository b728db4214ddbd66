using System.Net;
using ImOrleans.EdgeGateway;
using ImOrleans.Grains.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ImOrleans.Silo;

/// <summary>
/// The whole system in one process: an Orleans silo with grain state and messages in the configured
/// store, and the edge gateway co-hosted on the same Kestrel host. Used by Program.cs and by tests.
/// </summary>
public sealed class ImOrleansServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ImOrleansServer(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    /// <summary>The client TCP endpoint of the co-hosted edge (with the real port when 0 was configured).</summary>
    public IPEndPoint? EdgeEndpoint { get; private set; }

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
        var storage = configuration.GetSection("Storage").Get<StorageOptions>() ?? new();
        var problems = silo.Validate().Concat(silo.HostEdge ? EdgeGatewayHosting.ValidateSettings(configuration) : []).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidSettingsException(problems);
        }

        builder.UseOrleans(orleans =>
        {
            orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
            orleans.AddImOrleansGrains(storage);
        });

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (silo.HostEdge)
            {
                kestrel.ListenEdgeGateway(configuration);
            }
        });
        if (silo.HostEdge)
        {
            builder.Services.AddEdgeGateway(configuration);
        }

        return new ImOrleansServer(builder.Build());
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken);
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        EdgeEndpoint = addresses.Select(a => new Uri(a)).Select(u => new IPEndPoint(IPAddress.Parse(u.Host), u.Port)).FirstOrDefault();
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
