using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ImOrleans.Protocol;

namespace ImOrleans.EdgeGateway;

/// <summary>
/// An edge's instruments, under the meter <c>ImOrleans.Edge</c> (scraped at <c>GET /metrics</c> on the edge's or the
/// silo's HTTP port; live with <c>dotnet-counters monitor -p PID --counters ImOrleans.Edge</c>): open connections and
/// logged-in sessions, logins by result, requests by command and how long the server took to answer them, pushes,
/// session renewals by result, and connections the edge closed itself, by reason. Per process: a process hosting several edges (tests) reports
/// their sum.
/// </summary>
internal static class EdgeMetrics
{
    public const string MeterName = "ImOrleans.Edge";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>
    /// The running edges of this process, read when the gauges below are collected: a count kept by adding and taking
    /// away reads below zero in a listener that started after some of the sessions it sees end (another edge of the
    /// same process, in tests).
    /// </summary>
    private static readonly ConcurrentDictionary<EdgeSessionRegistry, byte> s_registries = new(ReferenceEqualityComparer.Instance);

    private static readonly ObservableGauge<long> Connections = Meter.CreateObservableGauge(
        "imorleans.edge.connections", () => s_registries.Keys.Sum(r => (long)r.Count), "{connection}", "Open client connections, logged in or not.");

    private static readonly ObservableGauge<long> Sessions = Meter.CreateObservableGauge(
        "imorleans.edge.sessions", () => s_registries.Keys.Sum(r => (long)r.SessionCount), "{session}", "Logged-in sessions.");

    private static readonly Counter<long> Logins = Meter.CreateCounter<long>(
        "imorleans.edge.logins", "{login}", "Login requests answered, by result: ok or the error code's name.");

    private static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "imorleans.edge.request.duration", "ms", "Time from reading a logged-in session's request to queueing its answer, by command.");

    private static readonly Counter<long> Pushes = Meter.CreateCounter<long>(
        "imorleans.edge.pushes", "{push}", "Frames the server pushed to clients: messages, receipts, group events, resyncs.");

    private static readonly Counter<long> Closes = Meter.CreateCounter<long>(
        "imorleans.edge.closes", "{connection}", "Connections the edge closed itself, by reason: slow_consumer, idle, handshake_timeout, kicked.");

    private static readonly Counter<long> Renewals = Meter.CreateCounter<long>(
        "imorleans.edge.session_renewals", "{renewal}",
        "Session registrations renewed with the user grain, by result: ok, registered_again (the grain had lost the session), failed (retried with back-off).");

    /// <summary>The command names as tags, made once: a request is counted on the message path.</summary>
    private static readonly Dictionary<CommandCode, KeyValuePair<string, object?>> CommandTags =
        Enum.GetValues<CommandCode>().ToDictionary(c => c, c => new KeyValuePair<string, object?>("command", c.ToString()));

    /// <summary>The edge's connections and sessions count in the gauges from now on (its registry started).</summary>
    public static void Observe(EdgeSessionRegistry registry) => s_registries.TryAdd(registry, 0);

    public static void Forget(EdgeSessionRegistry registry) => s_registries.TryRemove(registry, out _);

    public static void LoginAnswered(ErrorCode? error) =>
        Logins.Add(1, new KeyValuePair<string, object?>("result", error is { } code ? code.ToString() : "ok"));

    public static bool RequestDurationEnabled => RequestDuration.Enabled;

    public static void RequestAnswered(CommandCode command, long startedTimestamp)
    {
        var tag = CommandTags.TryGetValue(command, out var known) ? known : new KeyValuePair<string, object?>("command", "unknown");
        RequestDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds, tag);
    }

    public static void Pushed() => Pushes.Add(1);

    public static void Renewed(string result) => Renewals.Add(1, new KeyValuePair<string, object?>("result", result));

    public static void Closed(string reason) => Closes.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
