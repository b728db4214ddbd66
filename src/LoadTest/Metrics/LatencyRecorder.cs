using HdrHistogram;

namespace ImOrleans.LoadTest.Metrics;

/// <summary>
/// Send-to-deliver latencies in microseconds (1 µs to 10 min, 3 significant digits), recorded from many read loops
/// at once without locks. The scenario takes an interval snapshot every second for the live view and folds the
/// measured intervals into <see cref="Total"/>.
/// </summary>
internal sealed class LatencyRecorder
{
    private const long Highest = 600_000_000;
    private readonly Recorder _recorder = HistogramFactory.With64BitBucketSize()
        .WithValuesFrom(1).WithValuesUpTo(Highest).WithPrecisionOf(3)
        .WithThreadSafeWrites().WithThreadSafeReads().Create();

    private HistogramBase? _spare;

    public HistogramBase Total { get; } = new LongHistogram(Highest, 3);

    public void Record(long microseconds) => _recorder.RecordValue(Math.Clamp(microseconds, 1, Highest));

    /// <summary>Takes what was recorded since the last call; adds it to <see cref="Total"/> when <paramref name="keep"/>.</summary>
    public LatencySummary TakeInterval(bool keep)
    {
        var interval = _recorder.GetIntervalHistogram(_spare);
        var summary = LatencySummary.From(interval);
        if (keep)
        {
            Total.Add(interval);
        }

        _spare = interval;
        return summary;
    }
}
