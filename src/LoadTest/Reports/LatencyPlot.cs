using HdrHistogram;
using ImOrleans.LoadTest.Scenarios;

namespace ImOrleans.LoadTest.Reports;

/// <summary>
/// Two PNGs: the latency percentile spectrum of the whole run (x: 0, 90, 99, 99.9, 99.99 %; y: ms) at the given path,
/// and p50/p99 and deliveries per second over time beside it (<c>name.timeline.png</c>).
/// </summary>
internal static class LatencyPlot
{
    public static string TimelinePath(string path) => Path.ChangeExtension(path, ".timeline.png");

    public static void Save(string path, string title, HistogramBase histogram, IReadOnlyList<LatencySample> timeline)
    {
        var spectrum = new ScottPlot.Plot();
        var overTime = new ScottPlot.Plot();

        var xs = new List<double>();
        var ys = new List<double>();
        if (histogram.TotalCount > 0)
        {
            // x = -log10(1 - p): 1 at 90 %, 2 at 99 %, 3 at 99.9 %.
            for (var x = 0.0; x <= 5.0; x += 0.05)
            {
                var percentile = 100.0 * (1 - Math.Pow(10, -x));
                xs.Add(x);
                ys.Add(histogram.GetValueAtPercentile(percentile) / 1000.0);
            }
        }

        spectrum.Add.Scatter(xs.ToArray(), ys.ToArray());
        spectrum.Axes.Bottom.SetTicks([0, 1, 2, 3, 4, 5], ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"]);
        spectrum.Title(title);
        spectrum.XLabel("percentile");
        spectrum.YLabel("send → deliver (ms)");

        var seconds = timeline.Select(s => s.Seconds).ToArray();
        var p50 = overTime.Add.Scatter(seconds, timeline.Select(s => s.Latency.P50).ToArray());
        p50.LegendText = "p50 (ms)";
        var p99 = overTime.Add.Scatter(seconds, timeline.Select(s => s.Latency.P99).ToArray());
        p99.LegendText = "p99 (ms)";
        var rate = overTime.Add.Scatter(seconds, timeline.Select(s => s.DeliveredPerSecond).ToArray());
        rate.LegendText = "delivered/s";
        rate.Axes.YAxis = overTime.Axes.Right;
        overTime.Axes.Right.Label.Text = "delivered msgs/s";
        overTime.XLabel("seconds into the measured window");
        overTime.YLabel("latency (ms)");
        overTime.ShowLegend();

        spectrum.SavePng(path, 1000, 500);
        overTime.Title(title);
        overTime.SavePng(TimelinePath(path), 1000, 500);
    }
}
