using ImOrleans.LoadTest.Wire;

namespace ImOrleans.LoadTest.Scenarios;

/// <summary>Once a second, lets every session that has been quiet for its heartbeat interval send a heartbeat.</summary>
internal static class HeartbeatTicker
{
    public static async Task RunAsync(IReadOnlyList<WireSession> sessions, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                foreach (var session in sessions)
                {
                    session.TickHeartbeat(now);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The scenario is over.
        }
    }
}
