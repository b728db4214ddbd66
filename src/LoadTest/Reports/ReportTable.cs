using System.Globalization;
using Spectre.Console;

namespace ImOrleans.LoadTest.Reports;

/// <summary>The final table of a run: every figure the report has, one per row.</summary>
internal static class ReportTable
{
    public static void Write(IAnsiConsole console, RunReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"{report.Scenario} ({report.Mode}), run {report.RunId}");
        table.AddColumn("metric");
        table.AddColumn(new TableColumn("value").RightAligned());
        foreach (var (name, value) in Rows(report))
        {
            table.AddRow(Markup.Escape(name), Markup.Escape(value));
        }

        console.Write(table);
    }

    public static IEnumerable<(string Name, string Value)> Rows(RunReport r)
    {
        yield return ("users", N(r.Users));
        if (r.Edges is { } edges)
        {
            yield return ("edges (sessions in turn)", string.Join(", ", edges));
        }
        if (r.SessionsOnline is { } online)
        {
            yield return ("sessions online", N(online));
            yield return ("login failures", N(r.LoginFailures ?? 0) + (r.FirstLoginError is { } e ? $" ({e})" : ""));
            yield return ("logins/s", F(r.LoginsPerSecond, 0));
            yield return ("login p50 / p99 (ms)", $"{F(r.LoginP50Ms, 2)} / {F(r.LoginP99Ms, 2)}");
            yield return ("time to all online (s)", F(r.TimeToAllOnlineSeconds, 2));
        }

        if (r.Dropped is { } dropped)
        {
            yield return ("sessions dropped", N(dropped) + (r.FirstDropCause is { } cause ? $" (first: {cause})" : ""));
        }

        if (r.ConversationsOpened is { } opened)
        {
            yield return ("conversations opened (before warm-up)", N(opened));
            yield return ("opening (s)", F(r.OpeningSeconds, 2) + (r.OpeningCompleted == true ? "" : " (NOT complete: deadline passed)"));
        }

        yield return ("duration / measured (s)", $"{F(r.DurationSeconds, 1)} / {F(r.MeasuredSeconds, 1)}");
        if (r.Sent is not null)
        {
            yield return ("sent", N(r.Sent));
            yield return ("server-acked", N(r.Acked));
            yield return ("send errors", N(r.SendErrors));
            yield return ("delivered", N(r.Delivered));
            yield return (r.Scenario == "group" ? "deliveries/s" : "delivered msgs/s", F(r.DeliveredPerSecond, 0) + (r.TargetRate is { } t ? $" (sends/s target {t:N0})" : ""));
            yield return ("lost", N(r.Lost));
            yield return ("duplicates", N(r.Duplicates));
            if (r.UndeliveredToDroppedSessions is > 0)
            {
                yield return ("undelivered to dropped sessions", N(r.UndeliveredToDroppedSessions));
            }
            yield return ("drained", r.Drained == true ? "yes" : "NO (deadline passed)");
            if (r.BacklogDropped is > 0)
            {
                yield return ("sends not made (backlog full)", N(r.BacklogDropped));
            }

            if (r.DeliveryAcksSent is { } acks)
            {
                yield return ("delivery acks sent", N(acks));
            }
        }

        if (r.Latency is { } l)
        {
            yield return ("latency p50 / p95 / p99 (ms)", $"{l.P50:F2} / {l.P95:F2} / {l.P99:F2}");
            yield return ("latency p99.9 / max (ms)", $"{l.P999:F2} / {l.Max:F2}");
        }

        if (r.SendLag is { } lag)
        {
            yield return ("sends written late by p50 / p99 / max (ms)", $"{lag.P50:F2} / {lag.P99:F2} / {lag.Max:F2}");
        }

        if (r.GroupMembers is { } groupMembers)
        {
            yield return ("group members / online / senders", $"{groupMembers:N0} / {N(r.GroupOnline)} / {N(r.GroupSenders)}");
            yield return ("group setup (s)", F(r.GroupSetupSeconds, 1));
            if (r.TimeToLastDelivery is { } last)
            {
                yield return ("to last receiver p50 / p99 / max (ms)", $"{last.P50:F2} / {last.P99:F2} / {last.Max:F2}");
                yield return ("messages complete (measured)", N(last.Count));
            }

            yield return ("messages some online member lacks after drain", N(r.IncompleteMessages));
        }

        if (r.Cuts is not null)
        {
            yield return ("churning sessions", N(r.ChurningSessions));
            yield return ("links cut", N(r.Cuts));
            yield return ("reconnect p50 / p99 (ms)", $"{F(r.ReconnectP50Ms, 1)} / {F(r.ReconnectP99Ms, 1)}");
            yield return ("resync p50 / p99 / max (ms)", $"{F(r.ResyncP50Ms, 1)} / {F(r.ResyncP99Ms, 1)} / {F(r.ResyncMaxMs, 1)}");
            yield return ("resync timeouts", N(r.ResyncTimeouts));
        }

        yield return ("load tester CPU (cores)", F(r.LoadTesterCores, 2));
        yield return ("load tester paused by its GC (% of time)", F(r.LoadTesterGcPausePercent, 2));
        if (r.ServerCores is { } cores)
        {
            yield return ("server CPU (cores)", F(cores, 2));
        }

        if (r.ServerCpuMicrosPerUnit is { } micros)
        {
            yield return (r.Scenario == "connect" ? "server CPU per login (µs)" : "server CPU per delivered msg (µs)", F(micros, 1));
        }

        if (r.ServerRssMiB is { } rss)
        {
            yield return ("server RSS (MiB)", F(rss, 1) + (r.ServerRssBaselineMiB is { } b ? $" (before: {b:F1})" : "")
                + (r.ServerRssColdBaselineMiB is { } cold ? $" (before the {r.WarmupSessions:N0} warm-up sessions: {cold:F1})" : ""));
        }

        if (r.RssPerSessionKiB is { } perSession)
        {
            yield return ("server RSS per session (KiB)", F(perSession, 2) + (r.RssPerSessionColdKiB is { } cold ? $" (from the cold start: {cold:F2})" : ""));
        }

        if (r.LoadAverage is { } load)
        {
            yield return ("machine load average (1 min)", F(load, 2));
        }
    }

    private static string N(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "-";

    private static string F(double? value, int digits) => value?.ToString("N" + digits, CultureInfo.InvariantCulture) ?? "-";
}
