using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace ImOrleans.TraceSummary;

internal static class TraceReader
{
    public static TraceSummaryData Read(string path, IReadOnlyCollection<string> stackTypes, int depth)
    {
        // TraceLog resolves managed frames from the trace's rundown; it writes an .etlx index beside the trace.
        var index = TraceLog.CreateFromEventPipeDataFile(path);
        using var log = new TraceLog(index);
        var summary = new TraceSummaryData { DurationMs = log.SessionDuration.TotalMilliseconds };
        var open = new OpenCollection();
        foreach (var data in log.Events)
        {
            switch (data)
            {
                case GCSuspendEETraceData suspend:
                    open.SuspendedAtMs = suspend.TimeStampRelativeMSec;
                    break;
                case GCNoUserDataTraceData suspended when suspended.EventName.EndsWith("SuspendEEStop", StringComparison.Ordinal):
                    open.AllStoppedAtMs = suspended.TimeStampRelativeMSec;
                    break;
                case GCStartTraceData start:
                    open.Start(start.Count, start.Depth, start.Reason.ToString(), start.TimeStampRelativeMSec);
                    break;
                case GCMarkWithTypeTraceData mark:
                    open.Marked(mark.Type, mark.TimeStampRelativeMSec, mark.Promoted);
                    break;
                case GCEndTraceData end:
                    open.EndedAtMs = end.TimeStampRelativeMSec;
                    break;
                case GCHeapStatsTraceData stats:
                    open.PromotedBytes = stats.TotalPromotedSize0 + stats.TotalPromotedSize1 + stats.TotalPromotedSize2;
                    break;
                case GCNoUserDataTraceData restarted when restarted.EventName.EndsWith("RestartEEStop", StringComparison.Ordinal):
                    if (open.Finish(restarted.TimeStampRelativeMSec) is { } done)
                    {
                        summary.Collections.Add(done);
                    }

                    break;
                case GCAllocationTickTraceData tick:
                    var type = tick.TypeName ?? "?";
                    Count(summary.AllocatedByType, type, tick.AllocationAmount64);
                    if (stackTypes.Contains(type))
                    {
                        var stacks = summary.StacksByType.TryGetValue(type, out var known) ? known : summary.StacksByType[type] = new(StringComparer.Ordinal);
                        Count(stacks, StackOf(tick, depth), tick.AllocationAmount64);
                    }

                    break;
            }
        }

        return summary;
    }

    private static void Count(Dictionary<string, long> counts, string key, long bytes) =>
        counts[key] = counts.GetValueOrDefault(key) + bytes;

    private static string StackOf(GCAllocationTickTraceData tick, int depth)
    {
        var frames = new List<string>(depth);
        for (var frame = tick.CallStack(); frame is not null && frames.Count < depth; frame = frame.Caller)
        {
            if (frame.CodeAddress.FullMethodName is { Length: > 0 } name)
            {
                frames.Add(name);
            }
        }

        return frames.Count == 0 ? "(no managed frames)" : string.Join("\n        <- ", frames);
    }

    /// <summary>The collection between a suspension and the restart after it.</summary>
    private sealed class OpenCollection
    {
        private long _number = -1;
        private int _generation;
        private string _reason = "";

        private double _startedAtMs;

        public double SuspendedAtMs { get; set; }

        /// <summary>When every managed thread had stopped: what came before is waiting for threads to reach a safe point.</summary>
        public double AllStoppedAtMs { get; set; }

        public double EndedAtMs { get; set; }

        public long PromotedBytes { get; set; }

        /// <summary>Each root kind the mark phase went through, in order: how long it took and what it found.</summary>
        private readonly List<MarkStage> _stages = [];

        public void Start(long number, int generation, string reason, double startedAtMs)
        {
            (_number, _generation, _reason, _startedAtMs) = (number, generation, reason, startedAtMs);
            PromotedBytes = 0;
            EndedAtMs = startedAtMs;
            _stages.Clear();
        }

        /// <summary>The runtime reports each root kind when its marking ends; it began where the one before ended.</summary>
        public void Marked(int rootKind, double atMs, long bytes)
        {
            if (_number < 0)
            {
                return;
            }

            var began = _stages.Count == 0 ? _startedAtMs : _stages[^1].EndedAtMs;
            _stages.Add(new MarkStage(MarkStage.Name(rootKind), atMs - began, bytes, atMs));
        }

        public Collection? Finish(double restartedAtMs)
        {
            if (_number < 0)
            {
                return null; // A suspension without a collection (the runtime suspends for other reasons too).
            }

            var done = new Collection(
                _number, _generation, _reason, restartedAtMs - SuspendedAtMs, PromotedBytes,
                SuspendingMs: Math.Max(0, AllStoppedAtMs - SuspendedAtMs),
                CollectingMs: Math.Max(0, EndedAtMs - _startedAtMs),
                MarkStages: [.. _stages],
                AfterMarkingMs: _stages.Count == 0 ? 0 : Math.Max(0, EndedAtMs - _stages[^1].EndedAtMs));
            _number = -1;
            return done;
        }
    }
}
