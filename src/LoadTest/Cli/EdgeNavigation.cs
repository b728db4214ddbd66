using System.Diagnostics;
using ImOrleans.Client;

namespace ImOrleans.LoadTest.Cli;

/// <summary>
/// --navigation: asks the navigation endpoint for the live edges, as apps do before they connect (R8), and spreads the
/// run's sessions over them. A cluster that was just started may not have heard from its edges yet (they report every
/// couple of seconds), so an empty answer is asked again until the deadline.
/// </summary>
internal static class EdgeNavigation
{
    /// <summary>How long the command line keeps asking before it gives up.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(500);

    /// <summary><paramref name="settings"/> with the edges navigation lists as its servers; unchanged without --navigation.</summary>
    /// <exception cref="ImConnectionException">No edge was listed within <paramref name="deadline"/>.</exception>
    public static async Task<LoadTestSettings> ResolveAsync(LoadTestSettings settings, TimeSpan deadline, CancellationToken cancellationToken)
    {
        if (settings.NavigationUrls.Count == 0)
        {
            return settings;
        }

        using var navigation = new NavigationClient(settings.NavigationUrls, timeout: TimeSpan.FromSeconds(2));
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                var edges = await navigation.GetEdgesAsync(cancellationToken).ConfigureAwait(false);
                return settings with { Servers = [.. edges.Select(LoopbackGuard.ParseEdge)] };
            }
            catch (ImConnectionException) when (Stopwatch.GetElapsedTime(started) < deadline)
            {
                await Task.Delay(RetryInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
