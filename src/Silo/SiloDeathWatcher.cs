using ImOrleans.EdgeGateway;

namespace ImOrleans.Silo;

/// <summary>
/// For the co-hosted edge: when another silo is declared dead, the user grains it hosted reactivate elsewhere without
/// their sessions, so every session of this edge renews its registration at once instead of at its next renewal.
/// (A standalone edge learns the same from its gateway connections, see EdgeGatewayHosting.UseEdgeCluster.)
/// </summary>
internal sealed class SiloDeathWatcher(IClusterMembershipService membership, IServiceProvider services) : BackgroundService
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
    }
}
