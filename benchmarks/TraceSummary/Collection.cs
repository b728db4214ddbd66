namespace ImOrleans.TraceSummary;

/// <summary>One collection: its generation, how long the runtime was suspended for it, and the bytes it promoted.</summary>
internal sealed record Collection(long Number, int Generation, string Reason, double PauseMs, long PromotedBytes);
