namespace ImOrleans.Grains.Hosting;

/// <summary>
/// The names of the meters (System.Diagnostics.Metrics) a silo publishes, for exporters to subscribe to. Instruments
/// are per process: a process that hosts several silos (tests) reports their sum.
/// </summary>
public static class ImOrleansMeters
{
    /// <summary>The message store: write and commit durations, writes per commit.</summary>
    public const string MessageStore = "ImOrleans.MessageStore";

    /// <summary>Orleans' own meter: activations, messages, membership.</summary>
    public const string Orleans = "Microsoft.Orleans";

    public static IReadOnlyList<string> All { get; } = [MessageStore, Orleans];
}
