using ImOrleans.LoadTest.Wire;

namespace ImOrleans.LoadTest.Scenarios;

/// <summary>
/// Lets every session that has been quiet for its heartbeat interval send a heartbeat (checked once a second), and
/// releases delivery acks held back by an ack delay (checked every tick).
/// </summary>
internal static class HeartbeatTicker
{
    public static async Task RunAsync(IReadOnlyList<WireSession> sessions, CancellationToken cancellationToken, TimeSpan? tick = null)
    {
        using var timer = new PeriodicTimer(tick ?? TimeSpan.FromSeconds(1));
        var lastHeartbeatCheck = Environment.TickCount64;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                var heartbeats = now - lastHeartbeatCheck >= 1000;
                if (heartbeats)
                {
                    lastHeartbeatCheck = now;
                }

                foreach (var session in sessions)
                {
                    if (heartbeats)
                    {
                        session.TickHeartbeat(now);
                    }

                    session.FlushDeferredAcks(now);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The scenario is over.
        }
    }
}
