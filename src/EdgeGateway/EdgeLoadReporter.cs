using System.Net;
using ImOrleans.Grains;

namespace ImOrleans.EdgeGateway;

/// <summary>
/// Tells the cluster's edge directory, every <see cref="NavigationOptions.ReportInterval"/>, where clients reach this
/// edge and how many connections it holds (R8). A crashed edge simply stops reporting and drops out after
/// <see cref="NavigationOptions.EntryLifetime"/>; one that shuts down removes itself as shutdown begins.
/// </summary>
internal sealed partial class EdgeLoadReporter(
    IGrainFactory grains,
    EdgeSessionRegistry sessions,
    EdgeListener listener,
    IOptions<NavigationOptions> navigation,
    IOptions<EdgeGatewayOptions> edge,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<EdgeLoadReporter> logger) : BackgroundService
{
    private bool _failing;

    private IEdgeDirectoryGrain Directory => grains.GetGrain<IEdgeDirectoryGrain>(IEdgeDirectoryGrain.Key);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!navigation.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(navigation.Value.ReportInterval, time);
        try
        {
            await HostStartedAsync(stoppingToken);
            do
            {
                await ReportAsync();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Completes once the host has started, and with it Kestrel's listener. The listener's endpoint is known from the
    /// settings before that, so reporting at once listed the edge while its port still refused connections: clients
    /// sent here by navigation failed, and an edge whose port was taken stayed listed until its entry expired.
    /// </summary>
    private async Task HostStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task;
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Leave navigation the moment shutdown begins, before Kestrel drains connections: clients asking from now on
        // should not be sent here. Best effort; the entry also expires by itself.
        lifetime.ApplicationStopping.Register(() => _ = RemoveAsync());
        return base.StartAsync(cancellationToken);
    }

    private async Task RemoveAsync()
    {
        if (!navigation.Value.Enabled || listener.BoundEndpoint is null)
        {
            return;
        }

        try
        {
            await Directory.Remove(edge.Value.EdgeId).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception ex)
        {
            LogRemoveFailed(logger, ex, edge.Value.EdgeId);
        }
    }

    private async Task ReportAsync()
    {
        if (listener.BoundEndpoint is not { } bound)
        {
            return; // Kestrel has not bound a listener on a dynamic port (0) yet.
        }

        var load = new EdgeLoad
        {
            EdgeId = edge.Value.EdgeId,
            Address = AdvertisedAddress(bound),
            Connections = sessions.Count,
            Lifetime = navigation.Value.EntryLifetime,
        };
        try
        {
            await Directory.Report(load).WaitAsync(navigation.Value.EntryLifetime);
            if (_failing)
            {
                _failing = false;
                LogReportRecovered(logger, load.EdgeId);
            }
        }
        catch (Exception ex)
        {
            // The cluster is unreachable or failing over; the next tick tries again. Logged once per outage.
            if (!_failing)
            {
                _failing = true;
                LogReportFailed(logger, ex, load.EdgeId);
            }
        }
    }

    private string AdvertisedAddress(IPEndPoint bound)
    {
        if (navigation.Value.AdvertisedAddress.Length > 0)
        {
            return navigation.Value.AdvertisedAddress;
        }

        var host = bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any)
            ? Dns.GetHostName()
            : bound.Address.ToString();
        return host.Contains(':') ? $"[{host}]:{bound.Port}" : $"{host}:{bound.Port}";
    }

    [LoggerMessage(30, LogLevel.Warning, "Edge {EdgeId} could not report its load to the edge directory; retrying every interval")]
    private static partial void LogReportFailed(ILogger logger, Exception exception, string edgeId);

    [LoggerMessage(31, LogLevel.Information, "Edge {EdgeId} reports its load to the edge directory again")]
    private static partial void LogReportRecovered(ILogger logger, string edgeId);

    [LoggerMessage(32, LogLevel.Warning, "Edge {EdgeId} could not remove itself from the edge directory; it expires by itself")]
    private static partial void LogRemoveFailed(ILogger logger, Exception exception, string edgeId);
}
