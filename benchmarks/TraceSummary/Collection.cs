namespace ImOrleans.TraceSummary;

/// <summary>
/// One collection: its generation, how long the runtime was suspended for it, and the bytes it promoted. Of the pause,
/// <see cref="SuspendingMs"/> went to stopping the threads and <see cref="CollectingMs"/> to the collection itself
/// (GCStart to GCEnd); the rest is restarting them. Of the collection, <see cref="MarkStages"/> is the mark phase by
/// root kind and <see cref="AfterMarkingMs"/> the rest (planning, relocating, compacting or sweeping).
/// </summary>
internal sealed record Collection(
    long Number,
    int Generation,
    string Reason,
    double PauseMs,
    long PromotedBytes,
    double SuspendingMs,
    double CollectingMs,
    IReadOnlyList<MarkStage> MarkStages,
    double AfterMarkingMs);

/// <summary>Marking from one kind of root: its time and the bytes it found alive.</summary>
internal sealed record MarkStage(string Root, double Ms, long Bytes, double EndedAtMs)
{
    /// <summary>The runtime's root kinds (GC_ROOT_KIND in its event manifest).</summary>
    public static string Name(int kind) => kind switch
    {
        0 => "stacks",
        1 => "finalizer queue",
        2 => "handles",
        3 => "older generations (cards)",
        4 => "sized refs",
        5 => "overflow",
        6 => "dependent handles",
        7 => "new finalizable",
        _ => $"kind {kind}",
    };
}
