namespace ImOrleans.Grains.Hosting;

/// <summary>
/// The names of the meters (System.Diagnostics.Metrics) the grains publish, for exporters to subscribe to. Instruments
/// are per process: a process that hosts several silos (tests) reports their sum.
/// </summary>
public static class ImOrleansMeters
{
    /// <summary>The message store: write and commit durations, writes per commit.</summary>
    public const string MessageStore = "ImOrleans.MessageStore";
}
