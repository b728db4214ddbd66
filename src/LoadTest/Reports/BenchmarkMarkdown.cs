using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace ImOrleans.LoadTest.Reports;

/// <summary>
/// <c>report</c>: reads the JSON lines of several runs (from --json, grouped by --label) and writes the median
/// and min-max of each figure, with the machine, into the generated block of docs/benchmarks.md.
/// </summary>
internal static class BenchmarkMarkdown
{
    public const string BeginMarker = "<!-- results:begin (written by `ImOrleans.LoadTest report`; edit outside this block) -->";
    public const string EndMarker = "<!-- results:end -->";

    /// <summary>The markers of a named block (<c>--block NAME</c>): several result sets can live in one file.</summary>
    public static (string Begin, string End) Markers(string? block) => string.IsNullOrEmpty(block)
        ? (BeginMarker, EndMarker)
        : ($"<!-- results-{block}:begin (written by `ImOrleans.LoadTest report --block {block}`; edit outside this block) -->", $"<!-- results-{block}:end -->");

    public static Command Command()
    {
        var input = new Option<string>("--input") { Description = "File of JSON lines, one per run.", Required = true };
        var output = new Option<string>("--output") { Description = "Markdown file whose generated block is replaced.", DefaultValueFactory = _ => "docs/benchmarks.md" };
        var commit = new Option<string?>("--commit") { Description = "Commit the runs were made on." };
        var block = new Option<string?>("--block") { Description = "Name of the generated block to replace (default: the unnamed one); a missing block is added at the end." };
        var setup = new Option<string?>("--setup") { Description = "One line saying what the server ran on (store, clustering), printed under the machine." };
        var command = new Command("report", "Write medians (min-max) of runs from their JSON lines into docs/benchmarks.md.") { input, output, commit, block, setup };
        command.SetAction(result =>
        {
            var reports = File.ReadLines(result.GetValue(input)!)
                .Where(line => line.TrimStart().StartsWith('{'))
                .Select(RunReport.FromJson)
                .OfType<RunReport>()
                .ToList();
            var text = Render(reports, result.GetValue(commit), result.GetValue(setup));
            var path = result.GetValue(output)!;
            var existing = File.Exists(path) ? File.ReadAllText(path) : "";
            File.WriteAllText(path, Replace(existing, text, result.GetValue(block)));
            Console.WriteLine($"{reports.Count} runs written to {path}");
            return 0;
        });
        return command;
    }

    internal static string Replace(string document, string block, string? name = null)
    {
        var (beginMarker, endMarker) = Markers(name);
        var begin = document.IndexOf(beginMarker, StringComparison.Ordinal);
        var end = document.IndexOf(endMarker, StringComparison.Ordinal);
        var generated = $"{beginMarker}\n{block}{endMarker}";
        return begin >= 0 && end > begin
            ? document[..begin] + generated + document[(end + endMarker.Length)..]
            : document + (document.Length > 0 ? "\n" : "") + generated + "\n";
    }

    internal static string Render(IReadOnlyList<RunReport> reports, string? commit, string? setup = null)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC{(commit is null ? "" : $" on commit `{commit}`")}.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine()}.");
        text.AppendLine();
        if (!string.IsNullOrEmpty(setup))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Server: {setup}.");
            text.AppendLine();
        }

        foreach (var group in reports.GroupBy(r => r.Label ?? r.Scenario))
        {
            var runs = group.ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"### {group.Key}: {runs[0].Scenario}, {runs[0].Mode}, {runs[0].Users:N0} users ({runs.Count} runs)");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"`ImOrleans.LoadTest {runs[0].Arguments}`");
            text.AppendLine();
            text.AppendLine("| figure | median | min - max | target |");
            text.AppendLine("| --- | ---: | ---: | --- |");
            foreach (var (name, pick, digits) in Figures(runs[0].Scenario))
            {
                var values = runs.Select(pick).OfType<double>().Order().ToList();
                if (values.Count == 0)
                {
                    continue;
                }

                var median = values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {name} | {Format(median, digits)} | {Format(values[0], digits)} - {Format(values[^1], digits)} | {Target(group.Key, name)} |");
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    private static IEnumerable<(string Name, Func<RunReport, double?> Pick, int Digits)> Figures(string scenario)
    {
        if (scenario == "connect")
        {
            yield return ("sessions online", r => r.SessionsOnline, 0);
            yield return ("logins/s", r => r.LoginsPerSecond, 0);
            yield return ("login p50 (ms)", r => r.LoginP50Ms, 2);
            yield return ("login p99 (ms)", r => r.LoginP99Ms, 2);
            yield return ("time to all online (s)", r => r.TimeToAllOnlineSeconds, 2);
            yield return ("sessions dropped while held", r => r.Dropped, 0);
            yield return ("server RSS (MiB)", r => r.ServerRssMiB, 1);
            yield return ("server RSS per session (KiB)", r => r.RssPerSessionKiB, 2);
            yield return ("server RSS per session from the cold start (KiB)", r => r.RssPerSessionColdKiB, 2);
            yield return ("server CPU per login (µs)", r => r.ServerCpuMicrosPerUnit, 0);
        }
        else
        {
            yield return ("delivered msgs/s", r => r.DeliveredPerSecond, 0);
            yield return ("latency p50 (ms)", r => r.Latency?.P50, 2);
            yield return ("latency p95 (ms)", r => r.Latency?.P95, 2);
            yield return ("latency p99 (ms)", r => r.Latency?.P99, 2);
            yield return ("latency p99.9 (ms)", r => r.Latency?.P999, 2);
            yield return ("latency max (ms)", r => r.Latency?.Max, 2);
            if (scenario is "chat" or "group")
            {
                yield return ("sends written late p50 (ms)", r => r.SendLag?.P50, 2);
                yield return ("sends written late p99 (ms)", r => r.SendLag?.P99, 2);
            }
            yield return ("server-acked", r => r.Acked, 0);
            yield return ("lost", r => r.Lost, 0);
            yield return ("duplicates", r => r.Duplicates, 0);
            yield return ("sessions dropped by the server", r => r.Dropped, 0);
            yield return ("undelivered to dropped sessions", r => r.UndeliveredToDroppedSessions, 0);
            yield return ("server CPU per delivered msg (µs)", r => r.ServerCpuMicrosPerUnit, 1);
            if (scenario == "group")
            {
                yield return ("to last receiver p50 (ms)", r => r.TimeToLastDelivery?.P50, 1);
                yield return ("to last receiver p99 (ms)", r => r.TimeToLastDelivery?.P99, 1);
                yield return ("messages incomplete after drain", r => r.IncompleteMessages, 0);
                yield return ("group setup (s)", r => r.GroupSetupSeconds, 1);
            }

            if (scenario == "churn")
            {
                yield return ("links cut", r => r.Cuts, 0);
                yield return ("reconnect p50 (ms)", r => r.ReconnectP50Ms, 0);
                yield return ("reconnect p99 (ms)", r => r.ReconnectP99Ms, 0);
                yield return ("resync p50 (ms)", r => r.ResyncP50Ms, 0);
                yield return ("resync p99 (ms)", r => r.ResyncP99Ms, 0);
                yield return ("resync timeouts", r => r.ResyncTimeouts, 0);
            }
        }

        yield return ("load tester CPU (cores)", r => r.LoadTesterCores, 2);
        yield return ("load tester paused by its GC (% of time)", r => r.LoadTesterGcPausePercent, 2);
        yield return ("server CPU (cores)", r => r.ServerCores, 2);
        yield return ("machine load average at the end", r => r.LoadAverage, 1);
    }

    private static string Target(string label, string figure) => (label, figure) switch
    {
        ("chat-closed", "delivered msgs/s") => "≥ 25,000",
        ("chat-open", "latency p99 (ms)") => "≤ 10",
        ("group" or "group-20", "to last receiver p99 (ms)") => "≤ 100",
        ("group", "delivered msgs/s") => "≥ 100,000 deliveries/s",
        ("connect", "logins/s") => "≥ 2,000",
        ("connect", "server RSS per session (KiB)") => "≤ 18",
        ("connect", "sessions dropped while held") => "0",
        (_, "lost" or "duplicates" or "sessions dropped by the server") => "0",
        _ => "",
    };

    private static string Format(double value, int digits) => value.ToString("N" + digits, CultureInfo.InvariantCulture);

    private static string Machine()
    {
        string? cpu = null;
        long memoryKiB = 0;
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
            var mem = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            memoryKiB = mem is null ? 0 : long.Parse(mem.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
        }

        return $"{Environment.ProcessorCount} cores ({cpu ?? "unknown CPU"}), {memoryKiB / 1024.0 / 1024.0:F0} GiB, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}; " +
            "server and load tester on the same machine";
    }
}
