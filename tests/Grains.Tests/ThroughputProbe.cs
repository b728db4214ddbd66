using System.Diagnostics;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol.Messages;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace ImOrleans.Grains.Tests;

public sealed class ThroughputProbe(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1000, 512, "FULL")]
    [InlineData(4000, 4096, "FULL")]
    [InlineData(4000, 512, "OFF")]
    [InlineData(4000, 4096, "OFF")]
    public async Task Probe(int inFlight, int batch, string sync)
    {
        var folder = Path.Combine(Path.GetTempPath(), "probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var ds = new SqliteDataSource(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "p.db") }.ToString());
        SqliteSchema.Apply(ds);
        var store = new MessageStore(sync == "FULL" ? ds : new NoSync(ds.ConnectionString), NullLogger<MessageStore>.Instance, batch);
        await store.StartAsync(default);
        const int total = 100_000;
        var next = 0;
        var sw = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async w =>
        {
            long seq = 0;
            while (Interlocked.Increment(ref next) <= total)
            {
                await store.AppendAsync(new StoredMessage { ConversationId = $"s:u{w}:v{w}", Seq = ++seq, ClientMsgId = Guid.NewGuid().ToString(), SenderId = $"u{w}", Type = MessageType.Text, Content = "hello there, this is a typical short chat message", ServerTimeMs = 1 });
            }
        }));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        output.WriteLine($"inFlight={inFlight} batch={batch} sync={sync}: {total / sw.Elapsed.TotalSeconds:N0} appends/s, cpu {cpu.TotalMilliseconds * 1000 / total:N1} us/append, wall {sw.ElapsedMilliseconds} ms");
        await store.StopAsync(default);
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, true);
    }
}

internal sealed class NoSync(string cs) : System.Data.Common.DbDataSource
{
    public override string ConnectionString => cs;
    protected override System.Data.Common.DbConnection CreateDbConnection() => new SqliteConnection(cs);
    protected override System.Data.Common.DbConnection OpenDbConnection()
    {
        var c = new SqliteConnection(cs); c.Open();
        using var p = c.CreateCommand(); p.CommandText = "PRAGMA synchronous=OFF; PRAGMA busy_timeout=5000"; p.ExecuteNonQuery();
        return c;
    }
}
