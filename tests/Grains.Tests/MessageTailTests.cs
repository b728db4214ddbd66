using System.Diagnostics.Metrics;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains.Tests;

/// <summary>
/// The SQLite store with a tail small enough that commits merge it while the test runs: a conversation's messages are
/// then partly in im_messages and partly still in the tail, and every read must find them all.
/// </summary>
public sealed class MessageTailTests : IAsyncLifetime
{
    private const int MergeThreshold = 10;

    private readonly SqliteStoreFolder _folder = new();
    private MessageStore _store = null!;

    public async Task InitializeAsync() => _store = await StartStoreAsync();

    public Task DisposeAsync() => _folder.DeleteAsync(_store);

    [Fact]
    public async Task Every_read_finds_a_conversation_s_messages_whether_merged_or_still_in_the_tail()
    {
        var ids = Enumerable.Range(0, 8).Select(c => $"s:t{c}:x").ToList();
        for (var seq = 1; seq <= 30; seq++)
        {
            await Task.WhenAll(ids.Select(id => _store.AppendAsync(Message(id, seq)))).WithDeadline();
        }

        Assert.True(await CountAsync("SELECT COUNT(DISTINCT conversation_id) FROM im_message_tail WHERE conversation_id IN (SELECT conversation_id FROM im_messages)") > 0,
            "no conversation has messages in both tables");
        var latest = await _store.GetLatestAsync([.. ids, "s:none:x"]).WithDeadline();
        Assert.Equal(ids.Order(), latest.Keys.Order());
        foreach (var id in ids)
        {
            var all = await _store.ReadRangeAsync(id, 1, 30, 100).WithDeadline();
            Assert.Equal(Enumerable.Range(1, 30).Select(seq => Message(id, seq)), all.Select(Plain));
            Assert.Equal([26L, 27, 28, 29, 30], (await _store.ReadRangeAsync(id, 1, 30, 5).WithDeadline()).Select(m => m.Seq));
            Assert.Equal([10L, 11, 12], (await _store.ReadRangeAsync(id, 10, 12, 100).WithDeadline()).Select(m => m.Seq));
            Assert.Equal(30, await _store.GetMaxSeqAsync(id).WithDeadline());
            Assert.Equal(30, latest[id].Seq);
            foreach (var seq in new long[] { 1, 15, 30 })
            {
                Assert.Equal(Message(id, seq), Plain((await _store.GetAsync(id, seq).WithDeadline())!));
                Assert.Equal(seq, (await _store.FindByClientMsgIdAsync(id, $"client-{seq}", 1).WithDeadline())?.Seq);
            }
        }
    }

    [Fact]
    public async Task A_taken_seq_fails_whether_the_first_copy_is_merged_or_still_in_the_tail()
    {
        for (var seq = 1; seq <= MergeThreshold + 4; seq++)
        {
            await _store.AppendAsync(Message("s:a:b", seq)).WithDeadline();
        }

        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM im_message_tail WHERE seq = 3"));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM im_message_tail WHERE seq = 13"));

        await Assert.ThrowsAsync<SeqTakenException>(() => _store.AppendAsync(Message("s:a:b", 3) with { Content = "impostor" }).WithDeadline());
        await Assert.ThrowsAsync<SeqTakenException>(() => _store.AppendAsync(Message("s:a:b", 13) with { Content = "impostor" }).WithDeadline());
        await _store.AppendAsync(Message("s:a:b", MergeThreshold + 5)).WithDeadline();

        var all = await _store.ReadRangeAsync("s:a:b", 1, 100, 100).WithDeadline();
        Assert.Equal(Enumerable.Range(1, MergeThreshold + 5).Select(seq => Message("s:a:b", seq)), all.Select(Plain));
    }

    [Fact]
    public async Task A_revoke_blanks_a_message_still_in_the_tail_and_it_stays_blank_once_merged()
    {
        for (var seq = 1; seq <= 3; seq++)
        {
            await _store.AppendAsync(Message("s:a:b", seq)).WithDeadline();
        }

        await _store.AppendRevokeAsync(2, Message("s:a:b", 4) with { Content = "revoke 2" }).WithDeadline();
        await AssertRevokedAsync();

        for (var seq = 5; seq <= MergeThreshold + 5; seq++)
        {
            await _store.AppendAsync(Message("s:a:b", seq)).WithDeadline();
        }

        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM im_messages WHERE seq = 2 AND status = 2"));
        await AssertRevokedAsync();

        async Task AssertRevokedAsync()
        {
            var revoked = await _store.GetAsync("s:a:b", 2).WithDeadline();
            Assert.Equal(MessageStatus.Revoked, revoked!.Status);
            Assert.Equal("", revoked.Content);
            var page = await _store.ReadRangeAsync("s:a:b", 1, 4, 10).WithDeadline();
            Assert.Equal([MessageStatus.Normal, MessageStatus.Revoked, MessageStatus.Normal, MessageStatus.Normal], page.Select(m => m.Status));
        }
    }

    [Fact]
    public async Task Messages_left_in_the_tail_at_a_stop_are_merged_when_the_store_starts_again()
    {
        for (var seq = 1; seq <= 5; seq++)
        {
            await _store.AppendAsync(Message("s:a:b", seq)).WithDeadline();
        }

        await _store.StopAsync(CancellationToken.None).WithDeadline();
        Assert.Equal(5, await CountAsync("SELECT COUNT(*) FROM im_message_tail"));

        _store = await StartStoreAsync();

        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM im_message_tail"));
        Assert.Equal(Enumerable.Range(1, 5).Select(seq => Message("s:a:b", seq)), (await _store.ReadRangeAsync("s:a:b", 1, 5, 10).WithDeadline()).Select(Plain));
        await _store.AppendAsync(Message("s:a:b", 6)).WithDeadline();
        await Assert.ThrowsAsync<SeqTakenException>(() => _store.AppendAsync(Message("s:a:b", 5)).WithDeadline());
        Assert.Equal(6, await _store.GetMaxSeqAsync("s:a:b").WithDeadline());
    }

    [Fact]
    public async Task Messages_in_buckets_a_smaller_bucket_count_has_no_table_for_are_merged_when_the_store_starts()
    {
        await _store.StopAsync(CancellationToken.None).WithDeadline();
        var wide = await _folder.StartStoreAsync(new SqliteMessageTail(buckets: 16, mergeThreshold: 1_000));
        var ids = Enumerable.Range(0, 16).Select(c => $"s:w{c}:x").ToList();
        for (var seq = 1; seq <= 3; seq++)
        {
            await Task.WhenAll(ids.Select(id => wide.AppendAsync(Message(id, seq)))).WithDeadline();
        }

        await wide.StopAsync(CancellationToken.None).WithDeadline();
        Assert.Equal(48, await CountAsync("SELECT COUNT(*) FROM im_message_tail"));
        Assert.True(await CountAsync("SELECT COUNT(*) FROM im_message_tail WHERE bucket >= 4") > 0, "every conversation hashed below bucket 4");

        _store = await StartStoreAsync();

        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM sqlite_master WHERE name GLOB 'im_message_tail_1[0-5]'"));
        foreach (var id in ids)
        {
            Assert.Equal(Enumerable.Range(1, 3).Select(seq => Message(id, seq)), (await _store.ReadRangeAsync(id, 1, 10, 10).WithDeadline()).Select(Plain));
            await Assert.ThrowsAsync<SeqTakenException>(() => _store.AppendAsync(Message(id, 3)).WithDeadline());
        }
    }

    [Fact]
    public async Task A_tail_written_as_one_table_before_there_was_a_table_per_bucket_is_merged_when_the_store_starts()
    {
        await _store.StopAsync(CancellationToken.None).WithDeadline();
        await ExecuteAsync(
            "DROP VIEW im_message_tail; " +
            $"CREATE TABLE im_message_tail (tail_id INTEGER PRIMARY KEY, {SqliteSchema.MessageColumns}); " +
            "INSERT INTO im_message_tail (tail_id, conversation_id, seq, client_msg_id, sender_id, msg_type, content, attachments, client_time_ms, server_time_ms, status) " +
            "VALUES (1099511627777, 's:old:x', 1, 'client-1', 'a', 1, 'content 1', NULL, 1001, 2001, 0), " +
            "(1099511627778, 's:old:x', 2, 'client-2', 'a', 1, 'content 2', NULL, 1002, 2002, 0)");

        _store = await StartStoreAsync();

        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM sqlite_master WHERE name = 'im_message_tail' AND type = 'view'"));
        Assert.Equal(Enumerable.Range(1, 2).Select(seq => Message("s:old:x", seq)), (await _store.ReadRangeAsync("s:old:x", 1, 10, 10).WithDeadline()).Select(Plain));
        await Assert.ThrowsAsync<SeqTakenException>(() => _store.AppendAsync(Message("s:old:x", 2)).WithDeadline());
        await _store.AppendAsync(Message("s:old:x", 3)).WithDeadline();
        Assert.Equal(3, await _store.GetMaxSeqAsync("s:old:x").WithDeadline());
    }

    [Fact]
    public async Task Acked_messages_survive_a_crash_whether_merged_or_still_in_the_tail()
    {
        var ids = Enumerable.Range(0, 3).Select(c => $"s:k{c}:x").ToList();
        for (var seq = 1; seq <= 12; seq++)
        {
            await Task.WhenAll(ids.Select(id => _store.AppendAsync(Message(id, seq)))).WithDeadline();
        }

        Assert.True(await CountAsync("SELECT COUNT(*) FROM im_messages") > 0, "the tail never merged");
        Assert.True(await CountAsync("SELECT COUNT(*) FROM im_message_tail") > 0, "the tail is empty");
        var crashed = new SqliteStoreFolder(crashedFrom: _folder);
        var restarted = await crashed.StartStoreAsync(new SqliteMessageTail(buckets: 4, mergeThreshold: MergeThreshold));
        try
        {
            foreach (var id in ids)
            {
                var all = await restarted.ReadRangeAsync(id, 1, 100, 100).WithDeadline();
                Assert.Equal(Enumerable.Range(1, 12).Select(seq => Message(id, seq)), all.Select(Plain));
                await Assert.ThrowsAsync<SeqTakenException>(() => restarted.AppendAsync(Message(id, 12)).WithDeadline());
                await restarted.AppendAsync(Message(id, 13)).WithDeadline();
            }
        }
        finally
        {
            await crashed.DeleteAsync(restarted);
        }
    }

    [Fact]
    public async Task A_failed_batch_leaves_nothing_in_the_tail_and_later_appends_are_read_back()
    {
        await _store.AppendAsync(Message("s:a:b", 1)).WithDeadline();

        // A NOT NULL column left null fails the batch inside the writer's transaction; the writer reopens and recounts.
        await Assert.ThrowsAnyAsync<Exception>(() => _store.AppendAsync(Message("s:a:b", 2) with { ClientMsgId = null! }).WithDeadline());
        for (var seq = 2; seq <= MergeThreshold + 3; seq++)
        {
            await _store.AppendAsync(Message("s:a:b", seq)).WithDeadline();
        }

        Assert.Equal(Enumerable.Range(1, MergeThreshold + 3).Select(seq => Message("s:a:b", seq)), (await _store.ReadRangeAsync("s:a:b", 1, 100, 100).WithDeadline()).Select(Plain));
        Assert.True(await CountAsync("SELECT COUNT(*) FROM im_messages") > 0, "the tail never merged");
    }

    [Fact]
    public async Task The_tail_gauge_counts_a_running_store_s_messages_after_another_store_starts_in_the_process()
    {
        for (var seq = 1; seq <= 5; seq++)
        {
            await _store.AppendAsync(Message("s:g:h", seq)).WithDeadline();
        }

        var other = new SqliteStoreFolder();
        var otherStore = await other.StartStoreAsync();
        try
        {
            // Other tests' stores run in this process too and add to the sum; none can take this store's five away.
            Assert.True(ReadTailGauge() >= 5, "the gauge lost the first store's tail when a second store started");
        }
        finally
        {
            await other.DeleteAsync(otherStore);
        }
    }

    private static long ReadTailGauge()
    {
        long sum = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MessageStoreMetrics.MeterName && instrument.Name == "imorleans.store.tail.messages")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => sum += value);
        listener.Start();
        listener.RecordObservableInstruments();
        return sum;
    }

    private Task<MessageStore> StartStoreAsync() => _folder.StartStoreAsync(new SqliteMessageTail(buckets: 4, mergeThreshold: MergeThreshold));

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await _folder.DataSource.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = await _folder.DataSource.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>The message with its attachment list as <see cref="Message"/> makes it (a read makes a new, empty list), after checking it is empty.</summary>
    private static StoredMessage Plain(StoredMessage message)
    {
        Assert.Empty(message.Attachments);
        return message with { Attachments = [] };
    }

    private static StoredMessage Message(string conversationId, long seq) => MessageStoreTests.Message(conversationId, seq);
}
