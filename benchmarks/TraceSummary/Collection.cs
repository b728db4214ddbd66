namespace ImOrleans.TraceSummary;

/// <summary>
/// One collection: its generation, how long the runtime was suspended for it, and the bytes it promoted. Of the pause,
/// <see cref="SuspendingMs"/> went to stopping the threads and <see cref="CollectingMs"/> to the collection itself
/// (GCStart to GCEnd); the rest is restarting them.
/// </summary>
internal sealed record Collection(
    long Number, int Generation, string Reason, double PauseMs, long PromotedBytes, double SuspendingMs, double CollectingMs);
