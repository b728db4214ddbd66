using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImOrleans.Grains.Hosting;

/// <summary>
/// How many silos the cluster has declared dead since this one started. The grains a dead silo hosted come back
/// elsewhere without what they held in memory: a user grain forgets its sessions and the conversations that watch where
/// they are. A 1:1 conversation whose route was answered before the count last moved asks again at its next push
/// (ConversationGrain.Routes.cs); a co-hosted edge renews its sessions' registrations at once (<see cref="Died"/>).
/// </summary>
public sealed partial class SiloDeaths(IClusterMembershipService membership, ILogger<SiloDeaths> logger) : BackgroundService
{
    private long _count;

    /// <summary>Silos declared dead since this silo started.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Raised, on a background thread, each time the cluster declares one or more silos dead.</summary>
    public event Action? Died;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dead = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var newlyDead = 0;
                foreach (var member in snapshot.Members.Values)
                {
                    if (member.Status == SiloStatus.Dead && dead.Add(member.SiloAddress))
                    {
                        newlyDead++;
                    }
                }

                if (newlyDead > 0)
                {
                    Interlocked.Add(ref _count, newlyDead);
                    TellDied();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            // Never take the host down over this: routes and sessions still renew on their own intervals.
            LogWatchFailed(logger, ex);
        }
    }

    private void TellDied()
    {
        try
        {
            Died?.Invoke();
        }
        catch (Exception ex)
        {
            // The count has moved already; a listener's failure must not stop the watch.
            LogListenerFailed(logger, ex);
        }
    }

    [LoggerMessage(2, LogLevel.Warning, "A listener for dead silos failed")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception);

    [LoggerMessage(1, LogLevel.Warning, "Watching cluster membership for dead silos failed; conversation routes and edge sessions renew on their regular intervals only")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception);
}
