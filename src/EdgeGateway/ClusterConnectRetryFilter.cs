using Orleans;

namespace ImOrleans.EdgeGateway;

/// <summary>
/// A starting edge keeps trying to reach a silo's gateway for <see cref="EdgeClusterOptions.ConnectTimeout"/>, so edges
/// and silos can be started in any order (containers, scripts); after that the edge stops with the last error.
/// </summary>
internal sealed partial class ClusterConnectRetryFilter(IOptions<EdgeClusterOptions> cluster, TimeProvider time, ILogger<ClusterConnectRetryFilter> logger)
    : IClientConnectionRetryFilter
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private long _firstFailure;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _firstFailure, time.GetTimestamp(), 0) == 0)
        {
            LogWaiting(logger, exception.Message);
        }

        if (time.GetElapsedTime(Volatile.Read(ref _firstFailure)) > cluster.Value.ConnectTimeout)
        {
            LogGivingUp(logger, exception, cluster.Value.ConnectTimeout);
            return false;
        }

        await Task.Delay(RetryDelay, time, cancellationToken);
        return true;
    }

    [LoggerMessage(33, LogLevel.Warning, "No silo gateway reachable yet ({Reason}); retrying")]
    private static partial void LogWaiting(ILogger logger, string reason);

    [LoggerMessage(34, LogLevel.Error, "No silo gateway reachable within {Timeout}; the edge stops")]
    private static partial void LogGivingUp(ILogger logger, Exception exception, TimeSpan timeout);
}
