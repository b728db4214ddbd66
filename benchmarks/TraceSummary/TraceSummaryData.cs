namespace ImOrleans.TraceSummary;

/// <summary>What a trace says about the collector and allocations.</summary>
internal sealed class TraceSummaryData
{
    public List<Collection> Collections { get; } = [];

    /// <summary>Bytes allocated by type, as the runtime's allocation-tick samples (one about every 100 KB) count them.</summary>
    public Dictionary<string, long> AllocatedByType { get; } = new(StringComparer.Ordinal);

    /// <summary>For each type asked for: sampled bytes by allocating stack (frames joined, innermost first).</summary>
    public Dictionary<string, Dictionary<string, long>> StacksByType { get; } = new(StringComparer.Ordinal);

    public double DurationMs { get; set; }
}
