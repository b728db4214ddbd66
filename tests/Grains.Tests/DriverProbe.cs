using System.Diagnostics;
using ImOrleans.Grains.Storage;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace ImOrleans.Grains.Tests;

public sealed class DriverProbe(ITestOutputHelper output)
{
    [Theory]
    [InlineData("full")]
    [InlineData("oneconv")]
    [InlineData("sync-off")]
    [InlineData("journal-memory")]
    public void Raw(string mode)
    {
        var folder = Path.Combine(Path.GetTempPath(), "probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var ds = new SqliteDataSource(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "p.db") }.ToString());
        SqliteSchema.Apply(ds);
        using var c = (SqliteConnection)ds.OpenConnection();
        if (mode == "sync-off") { using var d = c.CreateCommand(); d.CommandText = "PRAGMA synchronous=OFF"; d.ExecuteNonQuery(); }
        if (mode == "journal-memory") { using var d = c.CreateCommand(); d.CommandText = "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF"; d.ExecuteNonQuery(); }
        if (mode.Contains("cache")) { using var d = c.CreateCommand(); d.CommandText = "PRAGMA cache_size=-65536"; d.ExecuteNonQuery(); }
        if (mode.Contains("ckpt")) { using var d = c.CreateCommand(); d.CommandText = "PRAGMA wal_autocheckpoint=0"; d.ExecuteNonQuery(); }
        if (mode.Contains("mmap")) { using var d = c.CreateCommand(); d.CommandText = "PRAGMA mmap_size=268435456"; d.ExecuteNonQuery(); }
        if (mode == "noindex") { using var d = c.CreateCommand(); d.CommandText = "DROP INDEX ix_im_messages_client_msg_id"; d.ExecuteNonQuery(); }
        using var cmd = c.CreateCommand();
        cmd.CommandText = mode == "fewparams"
            ? "INSERT INTO im_messages VALUES (@c, @s, @m, 'u', 1, 'hello there, this is a typical short chat message', NULL, 1, 1, 0) ON CONFLICT (conversation_id, seq) DO NOTHING"
            : MessageStoreSql.Append;
        var names = mode == "fewparams" ? new[] { "c", "s", "m" } : new[] { "conversation_id", "seq", "client_msg_id", "sender_id", "msg_type", "content", "attachments", "client_time_ms", "server_time_ms", "status" };
        foreach (var n in names) cmd.Parameters.Add(new SqliteParameter(n, DBNull.Value));
        const int total = 100_000;
        var sw = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        for (var b = 0; b < total / 1000; b++)
        {
            using var tx = c.BeginTransaction();
            cmd.Transaction = tx;
            for (var i = 0; i < 1000; i++)
            {
                var w = mode == "oneconv" ? 0 : (b * 1000 + i) % 1000;
                var p = cmd.Parameters;
                p[0].Value = $"s:u{w}:v{w}"; p[1].Value = mode == "oneconv" ? (long)(b * 1000 + i) : (long)b + 1; p[2].Value = Guid.NewGuid().ToString();
                if (mode != "fewparams") { p[3].Value = "u"; p[4].Value = 1; p[5].Value = "hello there, this is a typical short chat message"; p[6].Value = DBNull.Value; p[7].Value = 1L; p[8].Value = 1L; p[9].Value = 0; }
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        output.WriteLine($"{mode}: {total / sw.Elapsed.TotalSeconds:N0} rows/s, cpu {cpu.TotalMilliseconds * 1000 / total:N1} us/row");
        c.Close();
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, true);
    }
}
