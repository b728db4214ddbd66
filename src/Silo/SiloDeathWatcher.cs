using ImOrleans.EdgeGateway;

namespace ImOrleans.Silo;

/// <summary>
/// For the co-hosted edge: when another silo is declared dead, the user grains it hosted reactivate elsewhere without
/// their sessions, so every session of this edge renews its registration at once instead of at its next renewal.
/// (A standalone edge learns the same from its gateway connections, see EdgeGatewayHosting.UseEdgeCluster.)
/// </summary>
internal sealed partial class SiloDeathWatcher(IClusterMembershipService membership, IServiceProvider services, ILogger<SiloDeathWatcher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dead = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var newlyDead = false;
                foreach (var member in snapshot.Members.Values)
                {
                    newlyDead |= member.Status == SiloStatus.Dead && dead.Add(member.SiloAddress);
                }

                if (newlyDead)
                {
                    EdgeGatewayHosting.RenewSessionsSoon(services);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            // Never take the host down over this: sessions still renew on their own interval.
            LogWatchFailed(logger, ex);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Watching cluster membership for dead silos failed; edge sessions renew on their regular interval only")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception);
}
