using HdrHistogram;

namespace ImOrleans.LoadTest.Metrics;

/// <summary>Percentiles of a latency histogram, in milliseconds.</summary>
internal sealed record LatencySummary(long Count, double P50, double P95, double P99, double P999, double Max)
{
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0);

    public static LatencySummary From(HistogramBase histogram)
    {
        if (histogram.TotalCount == 0)
        {
            return Empty;
        }

        return new(
            histogram.TotalCount,
            Ms(histogram.GetValueAtPercentile(50)),
            Ms(histogram.GetValueAtPercentile(95)),
            Ms(histogram.GetValueAtPercentile(99)),
            Ms(histogram.GetValueAtPercentile(99.9)),
            Ms(histogram.GetMaxValue()));
    }

    private static double Ms(long microseconds) => Math.Round(microseconds / 1000.0, 3);
}
