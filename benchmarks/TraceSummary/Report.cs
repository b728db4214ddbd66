namespace ImOrleans.TraceSummary;

// Numbers print the same everywhere: the project inherits InvariantGlobalization.
internal static class Report
{
    public static void Collections(TraceSummaryData summary)
    {
        var collections = summary.Collections;
        var paused = collections.Sum(c => c.PauseMs);
        var suspending = collections.Sum(c => c.SuspendingMs);
        Console.WriteLine($"trace: {summary.DurationMs / 1000:F1} s, {collections.Count} collections, paused {paused:F0} ms ({100 * paused / Math.Max(1, summary.DurationMs):F2} % of the time), {suspending:F0} ms of it stopping threads");
        foreach (var c in collections)
        {
            Console.WriteLine($"  #{c.Number} gen{c.Generation} {c.Reason,-12} pause {c.PauseMs,6:F1} ms (stopping {c.SuspendingMs,5:F1}, collecting {c.CollectingMs,5:F1})  promoted {c.PromotedBytes / 1024,7:N0} KiB");
            if (c.MarkStages.Count > 0)
            {
                var stages = string.Join(", ", c.MarkStages.Where(s => s.Ms >= 0.05 || s.Bytes > 0).Select(s => $"{s.Root} {s.Ms:F1} ms {s.Bytes / 1024:N0} KiB"));
                Console.WriteLine($"      marking: {stages}; after marking {c.AfterMarkingMs:F1} ms");
            }
        }
    }

    public static void Allocations(TraceSummaryData summary, int top)
    {
        var total = summary.AllocatedByType.Values.Sum();
        Console.WriteLine($"allocated (sampled): {total / 1048576.0:F0} MiB, {total / 1048576.0 / Math.Max(0.001, summary.DurationMs / 1000):F1} MiB/s");
        foreach (var (type, bytes) in summary.AllocatedByType.OrderByDescending(p => p.Value).Take(top))
        {
            Console.WriteLine($"  {100.0 * bytes / total,5:F1} %  {type}");
        }
    }

    public static void Stacks(TraceSummaryData summary)
    {
        foreach (var (type, stacks) in summary.StacksByType)
        {
            var total = stacks.Values.Sum();
            Console.WriteLine($"{type}: {total / 1048576.0:F1} MiB sampled");
            foreach (var (stack, bytes) in stacks.OrderByDescending(p => p.Value).Take(8))
            {
                Console.WriteLine($"  {100.0 * bytes / total,3:F0} %  {stack}");
            }
        }
    }
}
