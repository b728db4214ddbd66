using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ImOrleans.Grains.Storage;

/// <summary>
/// The group-commit writer's instruments, under the meter <c>ImOrleans.MessageStore</c> (read them live with
/// <c>dotnet-counters monitor -p PID --counters ImOrleans.MessageStore</c>): how long a write waits from queueing to
/// its durable commit, how long each commit takes and how many writes it carries. Together they say whether a slow
/// send waits for the database or for something else.
/// </summary>
internal static class MessageStoreMetrics
{
    public const string MeterName = Hosting.ImOrleansMeters.MessageStore;

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> WriteLatency = Meter.CreateHistogram<double>(
        "imorleans.store.write.duration", "ms", "Time from queueing a write to its durable commit (or failure).");

    private static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        "imorleans.store.commit.duration", "ms", "Time the writer spends on one batch: statements, commit and fsync.");

    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "imorleans.store.commit.writes", "{write}", "Writes carried by one commit.");

    private static readonly Histogram<double> WalCatchUpDuration = Meter.CreateHistogram<double>(
        "imorleans.store.wal.catchup.duration", "ms",
        "Time the writer spends copying what the background checkpoint left of the SQLite log, between two batches: no commit happens meanwhile.");

    private static readonly Counter<long> TailMerged = Meter.CreateCounter<long>(
        "imorleans.store.tail.merged", "{message}", "Messages moved from SQLite's message tail into im_messages.");

    /// <summary>
    /// The tails of the stores running in this process, which the gauge sums: one in a silo, several in a test process
    /// that hosts several silos at once (reporting only the newest store's would hide the others' messages).
    /// </summary>
    private static readonly ConcurrentDictionary<SqliteMessageTail, byte> s_tails = new(ReferenceEqualityComparer.Instance);

    static MessageStoreMetrics() => Meter.CreateObservableGauge(
        "imorleans.store.tail.messages",
        () => s_tails.Keys.Sum(tail => (long)tail.Rows),
        "{message}",
        "Messages in SQLite's message tail, not yet merged into im_messages: about 32,768 once under way; growing past that means merges fail (logged).");

    public static bool WriteLatencyEnabled => WriteLatency.Enabled;

    public static void ObserveTail(SqliteMessageTail tail) => s_tails.TryAdd(tail, 0);

    public static void ForgetTail(SqliteMessageTail tail) => s_tails.TryRemove(tail, out _);

    public static void RecordTailMerged(int messages) => TailMerged.Add(messages);

    public static void RecordCommit(long startedTimestamp, int writes)
    {
        CommitDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds);
        BatchSize.Record(writes);
    }

    public static void RecordWalCatchUp(long startedTimestamp) =>
        WalCatchUpDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds);

    public static void RecordWrite(long queuedTimestamp, long now) =>
        WriteLatency.Record(Stopwatch.GetElapsedTime(queuedTimestamp, now).TotalMilliseconds);
}
