using System.Buffers.Binary;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol.Messages;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace ImOrleans.Grains.Tests;

/// <summary>The SQLite write-ahead log under the group-commit writer and the background checkpointer, as the silo runs them.</summary>
public sealed class SqliteCheckpointerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "imorleans-wal-tests-" + Guid.NewGuid().ToString("N"));
    private SqliteDataSource _dataSource = null!;
    private MessageStore _store = null!;
    private SqliteCheckpointer _checkpointer = null!;

    private string LogFile => Path.Combine(_folder, "store.db-wal");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _dataSource = new SqliteDataSource(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "store.db") }.ToString());
        SqliteSchema.Apply(_dataSource);
        await StartAsync(new SqliteMessageTail());
    }

    /// <summary>The store on <paramref name="tail"/> and a checkpointer every 100 ms, replacing those started before.</summary>
    private async Task StartAsync(SqliteMessageTail tail)
    {
        if (_store is not null)
        {
            await _store.StopAsync(CancellationToken.None).WaitAsync(TestExtensions.Deadline);
            await _checkpointer.StopAsync(CancellationToken.None).WaitAsync(TestExtensions.Deadline);
        }

        _store = new MessageStore(_dataSource, NullLogger<MessageStore>.Instance, tail: tail);
        _checkpointer = new SqliteCheckpointer(_dataSource, _store, NullLogger<SqliteCheckpointer>.Instance, TimeSpan.FromMilliseconds(100));
        await _checkpointer.StartAsync(CancellationToken.None);
        await _store.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.StopAsync(CancellationToken.None).WaitAsync(TestExtensions.Deadline);
        await _checkpointer.StopAsync(CancellationToken.None).WaitAsync(TestExtensions.Deadline);
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Under_appends_that_never_pause_the_log_keeps_starting_over_instead_of_growing_with_every_commit()
    {
        // 256 senders that never stop, over 2,000 conversations: the writer is never idle when a background checkpoint
        // ends, and each commit touches hundreds of distinct pages (about 200 MB of log if it never started over).
        // The log can start over once per checkpoint (every 100 ms here), so the run lasts at least 20 of them: on a
        // fast machine 30,000 appends took half a second, too few checkpoints for the count below.
        const int senders = 256, conversations = 2_000, total = 30_000;
        var shortestRun = TimeSpan.FromSeconds(2);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await _store.AppendAsync(Message("s:warm:up", 1)).WithDeadline();
        var startedOver = LogResets();
        var largestLog = 0L;
        var next = 0;
        var seqs = new long[conversations];

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            await Task.Yield();
            while (Interlocked.Increment(ref next) <= total || started.Elapsed < shortestRun)
            {
                deadline.Token.ThrowIfCancellationRequested();
                var conversation = Random.Shared.Next(conversations);
                await _store.AppendAsync(Message($"s:u{conversation}:v{conversation}", Interlocked.Increment(ref seqs[conversation])));
                InterlockedMax(ref largestLog, new FileInfo(LogFile).Length);
            }
        }));

        var resets = LogResets() - startedOver;
        var appends = Volatile.Read(ref next) - senders;
        output.WriteLine($"{appends} appends in {started.Elapsed.TotalSeconds:F1} s; the log started over {resets} times; largest log {largestLog / 1024 / 1024} MiB");
        Assert.True(resets >= 8, $"the log started over only {resets} times during {appends} appends in {started.Elapsed.TotalSeconds:F1} s");
        Assert.True(largestLog <= SqliteDataSource.JournalSizeLimitBytes, $"the log reached {largestLog / 1024 / 1024} MiB");

        // Nothing was lost by starting over: every conversation has every seq it was given.
        for (var c = 0; c < conversations; c += 97)
        {
            Assert.Equal(seqs[c], await _store.GetMaxSeqAsync($"s:u{c}:v{c}").WithDeadline());
        }
    }

    [Fact]
    public async Task Tail_merges_held_back_during_checkpoints_resume_so_the_tail_stays_bounded()
    {
        // Each checkpoint holds the tail's merges back until the writer has copied what its passes left. Under appends
        // that never pause there are dozens of such holds; one never released would leave every later append in the
        // tail (and every read of its conversations scanning more of it).
        const int mergeThreshold = 2_000, senders = 64, conversations = 500;
        var tail = new SqliteMessageTail(buckets: 8, mergeThreshold: mergeThreshold);
        await StartAsync(tail);
        var seqs = new long[conversations];
        var appended = 0L;
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // At least 2 s of checkpoints and several thresholds' worth of appends, however slow the machine is.
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            await Task.Yield();
            while (started.Elapsed < TimeSpan.FromSeconds(2) || Interlocked.Read(ref appended) <= 4 * mergeThreshold)
            {
                deadline.Token.ThrowIfCancellationRequested();
                var conversation = Random.Shared.Next(conversations);
                await _store.AppendAsync(Message($"s:u{conversation}:v{conversation}", Interlocked.Increment(ref seqs[conversation])));
                Interlocked.Increment(ref appended);
            }
        }));

        // Once the load stops, a few more commits must bring the tail back under its threshold (each merges a bucket).
        var next = 0L;
        while (tail.Rows > mergeThreshold)
        {
            deadline.Token.ThrowIfCancellationRequested();
            await _store.AppendAsync(Message("s:after:load", ++next));
        }

        output.WriteLine($"{appended} appends, {next} appends after the load to bring the tail to {tail.Rows} rows");
        Assert.True(next < 100, $"the tail needed {next} commits after the load to merge back under its threshold");
        for (var c = 0; c < conversations; c += 37)
        {
            Assert.Equal(seqs[c], await _store.GetMaxSeqAsync($"s:u{c}:v{c}").WithDeadline());
        }
    }

    /// <summary>The log header's checkpoint sequence number: SQLite adds one each time the log starts over.</summary>
    private long LogResets()
    {
        using var file = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[16];
        file.ReadExactly(header);
        return BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }

    private static StoredMessage Message(string conversationId, long seq) => new()
    {
        ConversationId = conversationId,
        Seq = seq,
        ClientMsgId = Guid.NewGuid().ToString(),
        SenderId = "u",
        Type = MessageType.Text,
        Content = new string('x', 64),
        ClientTimeMs = 1,
        ServerTimeMs = 2,
        Status = MessageStatus.Normal,
    };
}
