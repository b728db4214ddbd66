namespace ImOrleans.Client.Internal;

/// <summary>Exponential backoff of reconnect attempts (R7): initial, 2x, 4x, ... capped, each shortened by up to 20 %.</summary>
internal static class ReconnectBackoff
{
    private const double MaxJitter = 0.2;

    /// <summary>The wait before attempt number <paramref name="attempt"/> (0 for the first after a loss).</summary>
    /// <param name="attempt">0 for the first attempt after a loss.</param>
    /// <param name="initial">The first wait.</param>
    /// <param name="max">The cap.</param>
    /// <param name="jitterSample">A number in [0, 1); 0 gives the nominal delay.</param>
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max, double jitterSample)
    {
        var factor = Math.Pow(2, Math.Min(attempt, 30));
        var nominal = Math.Min(initial.Ticks * factor, max.Ticks);
        return TimeSpan.FromTicks((long)(nominal * (1 - (MaxJitter * jitterSample))));
    }
}
