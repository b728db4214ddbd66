using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using ImOrleans.Grains;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol.Messages;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

// The message store alone, as the silo runs it (one MessageStore, group commit), under closed-loop load: each of
// --writers tasks acts like a conversation grain, appending its next seq and waiting for the durable commit before
// the next. Prints msgs/s stored and append latency percentiles, and this process's CPU.
//
//   dotnet run -c Release --project benchmarks/StoreBenchmark -- --postgres "Host=...;Database=..." [--writers 256] [--seconds 10]
//   dotnet run -c Release --project benchmarks/StoreBenchmark -- --sqlite /tmp/bench-folder [...]
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

DbDataSource dataSource;
if (options.Postgres is { } postgres)
{
    var npgsql = NpgsqlDataSource.Create(postgres);
    await PostgresSchema.ApplyAsync(npgsql);
    await using (var truncate = npgsql.CreateCommand("TRUNCATE im_messages"))
    {
        await truncate.ExecuteNonQueryAsync();
    }

    dataSource = npgsql;
}
else
{
    Directory.CreateDirectory(options.SqliteFolder!);
    var file = Path.Combine(options.SqliteFolder!, "bench.db");
    File.Delete(file);
    var sqlite = new SqliteDataSource(new SqliteConnectionStringBuilder { DataSource = file, Pooling = true }.ToString());
    SqliteSchema.Apply(sqlite);
    dataSource = sqlite;
}

var store = new MessageStore(
    dataSource,
    NullLogger<MessageStore>.Instance,
    tail: new SqliteMessageTail(options.TailBuckets, options.TailThreshold));
await store.StartAsync(CancellationToken.None);

// As in the silo: SQLite's log is copied back in the background (and starts over) while the writer commits.
var checkpointer = dataSource is SqliteDataSource sqliteSource
    ? new SqliteCheckpointer(sqliteSource, store, NullLogger<SqliteCheckpointer>.Instance)
    : null;
await (checkpointer?.StartAsync(CancellationToken.None) ?? Task.CompletedTask);
var content = new string('x', options.BodySize);

// Warm-up: connections, prepared plans, JIT.
await RunAsync(TimeSpan.FromSeconds(2), "warm");
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var wall = Stopwatch.StartNew();
var latencies = await RunAsync(TimeSpan.FromSeconds(options.Seconds), "run");
wall.Stop();
var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
await store.StopAsync(CancellationToken.None);
await (checkpointer?.StopAsync(CancellationToken.None) ?? Task.CompletedTask);

latencies.Sort();
double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
var rate = latencies.Count / wall.Elapsed.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"store={(options.Postgres is null ? "sqlite" : "postgres")} writers={options.Writers} body={options.BodySize}B seconds={wall.Elapsed.TotalSeconds:F1} " +
    $"stored={latencies.Count} msgs/s={rate:F0} p50={Percentile(0.50):F2}ms p99={Percentile(0.99):F2}ms max={latencies[^1]:F2}ms " +
    $"bench-cpu={cpu.TotalSeconds / wall.Elapsed.TotalSeconds * 100:F0}%"));
return 0;

async Task<List<double>> RunAsync(TimeSpan duration, string phase)
{
    var stop = Stopwatch.StartNew();
    var perWriter = await Task.WhenAll(Enumerable.Range(0, options.Writers).Select(async writer =>
    {
        var conversation = $"s:{phase}{writer}:{Guid.NewGuid():N}";
        var samples = new List<double>(4096);
        for (long seq = 1; stop.Elapsed < duration; seq++)
        {
            var started = Stopwatch.GetTimestamp();
            await store.AppendAsync(new StoredMessage
            {
                ConversationId = conversation,
                Seq = seq,
                ClientMsgId = Guid.NewGuid().ToString(),
                SenderId = "bench",
                Type = MessageType.Text,
                Content = content,
                ClientTimeMs = 1,
                ServerTimeMs = 2,
            });
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return samples;
    }));
    return [.. perWriter.SelectMany(s => s)];
}

internal sealed record BenchOptions(string? Postgres, string? SqliteFolder, int Writers, int Seconds, int BodySize, int TailBuckets, int TailThreshold)
{
    public static readonly string Usage =
        "usage: ImOrleans.StoreBenchmark (--postgres <connection string> | --sqlite <folder>) [--writers 256] [--seconds 10] [--body 64] " +
        $"[--tail-buckets {SqliteMessageTail.DefaultBuckets}] [--tail-threshold {SqliteMessageTail.DefaultMergeThreshold}] (the tail: SQLite only)";

    public static BenchOptions? Parse(string[] args)
    {
        string? postgres = null, sqlite = null;
        int writers = 256, seconds = 10, body = 64;
        int tailBuckets = SqliteMessageTail.DefaultBuckets, tailThreshold = SqliteMessageTail.DefaultMergeThreshold;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--postgres": postgres = args[i + 1]; break;
                case "--sqlite": sqlite = args[i + 1]; break;
                case "--writers": writers = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--body": body = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--tail-buckets": tailBuckets = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--tail-threshold": tailThreshold = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: return null;
            }
        }

        return (postgres is null) == (sqlite is null) || writers < 1 || seconds < 1 || tailBuckets < 1 || tailThreshold < 1
            ? null
            : new BenchOptions(postgres, sqlite, writers, seconds, body, tailBuckets, tailThreshold);
    }
}
