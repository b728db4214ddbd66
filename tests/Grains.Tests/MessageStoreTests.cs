using System.Diagnostics;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol.Messages;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace ImOrleans.Grains.Tests;

/// <summary>The SQLite message store on its own, without a silo.</summary>
public sealed class MessageStoreTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly SqliteStoreFolder _folder = new();
    private MessageStore _store = null!;

    public async Task InitializeAsync()
    {
        SqliteSchema.Apply(_folder.DataSource); // idempotent: the folder applied it already
        _store = await StartStoreAsync();
    }

    public Task DisposeAsync() => _folder.DeleteAsync(_store);

    [Fact]
    public async Task Many_concurrent_appends_are_group_committed_and_all_readable()
    {
        const int conversations = 50, perConversation = 40;
        var stopwatch = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, conversations).SelectMany(c =>
            Enumerable.Range(1, perConversation).Select(seq => _store.AppendAsync(Message($"s:a{c}:b{c}", seq))))).WithDeadline();

        output.WriteLine($"{conversations * perConversation} appends in {stopwatch.ElapsedMilliseconds} ms");
        for (var c = 0; c < conversations; c++)
        {
            var id = $"s:a{c}:b{c}";
            Assert.Equal(perConversation, await _store.GetMaxSeqAsync(id).WithDeadline());
            var all = await _store.ReadRangeAsync(id, 1, perConversation, 100).WithDeadline();
            Assert.Equal(Enumerable.Range(1, perConversation).Select(i => (long)i), all.Select(m => m.Seq));
        }

        var latest = await _store.GetLatestAsync(["s:a0:b0", "s:a7:b7", "s:none:x"]).WithDeadline();
        Assert.Equal(2, latest.Count);
        Assert.Equal(perConversation, latest["s:a7:b7"].Seq);
    }

    [Fact]
    public async Task A_range_read_returns_the_newest_messages_within_bounds_ascending_with_all_fields()
    {
        var attachment = new AttachmentInfo { Id = "f1", Type = "image/png", Name = "cat.png", Url = "https://files.example/cat.png", Size = 1234 };
        for (var seq = 1; seq <= 10; seq++)
        {
            await _store.AppendAsync(Message("s:a:b", seq) with { Attachments = seq == 5 ? [attachment] : [] }).WithDeadline();
        }

        var page = await _store.ReadRangeAsync("s:a:b", 2, 8, 3).WithDeadline();
        var five = (await _store.ReadRangeAsync("s:a:b", 5, 5, 10).WithDeadline()).Single();

        Assert.Equal([6L, 7L, 8L], page.Select(m => m.Seq));
        Assert.Equal(Message("s:a:b", 5) with { Attachments = five.Attachments }, five);
        Assert.Equal(attachment, Assert.Single(five.Attachments));
        Assert.Equal(0, await _store.GetMaxSeqAsync("s:nothing:here").WithDeadline());
        Assert.Equal(5, (await _store.FindByClientMsgIdAsync("s:a:b", "client-5", minSeq: 1).WithDeadline())?.Seq);
        Assert.Equal(5, (await _store.FindByClientMsgIdAsync("s:a:b", "client-5", minSeq: 5).WithDeadline())?.Seq);
        Assert.Null(await _store.FindByClientMsgIdAsync("s:a:b", "client-5", minSeq: 6).WithDeadline());
        Assert.Null(await _store.FindByClientMsgIdAsync("s:a:b", "client-99", minSeq: 1).WithDeadline());
    }

    [Fact]
    public async Task Text_reads_back_exactly_as_sent_whether_empty_non_latin_or_emoji()
    {
        string[] contents = ["", "你好，世界", "👋🏽 café ß Ωmega", new string('字', 3000)];
        for (var i = 0; i < contents.Length; i++)
        {
            await _store.AppendAsync(Message("s:a:b", i + 1) with { Content = contents[i], ClientMsgId = $"客户端-{i}" }).WithDeadline();
        }

        var all = await _store.ReadRangeAsync("s:a:b", 1, 100, 100).WithDeadline();

        Assert.Equal(contents, all.Select(m => m.Content));
        Assert.Equal(contents.Select((_, i) => $"客户端-{i}"), all.Select(m => m.ClientMsgId));
        Assert.Equal(2, (await _store.FindByClientMsgIdAsync("s:a:b", "客户端-1", minSeq: 1).WithDeadline())?.Seq);
    }

    [Fact]
    public async Task A_taken_seq_fails_only_its_own_append_and_not_the_batch()
    {
        await _store.AppendAsync(Message("s:a:b", 1)).WithDeadline();

        var duplicate = _store.AppendAsync(Message("s:a:b", 1) with { Content = "impostor" });
        var others = Enumerable.Range(2, 20).Select(seq => _store.AppendAsync(Message("s:a:b", seq))).ToList();

        await Assert.ThrowsAsync<SeqTakenException>(() => duplicate.WithDeadline());
        await Task.WhenAll(others).WithDeadline();
        var all = await _store.ReadRangeAsync("s:a:b", 1, 100, 100).WithDeadline();
        Assert.Equal(21, all.Count);
        Assert.Equal("content 1", all[0].Content);
    }

    [Fact]
    public async Task A_batch_that_fails_stores_none_of_its_writes_and_the_writer_goes_on_committing()
    {
        await _store.AppendAsync(Message("s:a:b", 1)).WithDeadline();

        // A NOT NULL column left null fails the statement, and with it the whole batch, inside the writer's transaction.
        var broken = _store.AppendAsync(Message("s:a:b", 2) with { ClientMsgId = null! });
        await Assert.ThrowsAsync<SqliteException>(() => broken.WithDeadline());

        await _store.AppendAsync(Message("s:a:b", 2)).WithDeadline();
        await _store.AppendAsync(Message("s:a:b", 3)).WithDeadline();
        await _store.StopAsync(CancellationToken.None).WithDeadline();
        SqliteConnection.ClearAllPools();
        _store = await StartStoreAsync();

        var all = await _store.ReadRangeAsync("s:a:b", 1, 100, 100).WithDeadline();
        Assert.Equal([1L, 2L, 3L], all.Select(m => m.Seq));
        Assert.All(all, m => Assert.Equal($"client-{m.Seq}", m.ClientMsgId));
    }

    [Fact]
    public async Task Appends_queued_behind_a_failed_one_of_their_chain_are_not_stored_so_no_seq_is_skipped()
    {
        var chain = AppendChains.Next();
        await _store.AppendAsync(Message("s:a:b", 1), chain).WithDeadline();
        var broken = _store.AppendAsync(Message("s:a:b", 2) with { ClientMsgId = null! }, chain);
        await Assert.ThrowsAsync<SqliteException>(() => broken.WithDeadline());

        // Queued after the failed batch, as an overlapping send that had not yet seen the failure would be.
        await Assert.ThrowsAsync<BrokenChainException>(() => _store.AppendAsync(Message("s:a:b", 3), chain).WithDeadline());
        await _store.AppendAsync(Message("s:other:c", 1), AppendChains.Next()).WithDeadline();
        Assert.Equal(1, await _store.GetMaxSeqAsync("s:a:b").WithDeadline());

        // The owner counts on from the newest stored seq in a new chain.
        var next = AppendChains.Next();
        await _store.AppendAsync(Message("s:a:b", 2), next).WithDeadline();
        await _store.AppendAsync(Message("s:a:b", 3), next).WithDeadline();
        var all = await _store.ReadRangeAsync("s:a:b", 1, 100, 100).WithDeadline();
        Assert.Equal([1L, 2L, 3L], all.Select(m => m.Seq));
        Assert.Equal(1, await _store.GetMaxSeqAsync("s:other:c").WithDeadline());
    }

    [Fact]
    public async Task Receipts_keep_the_highest_delivered_and_read_seq()
    {
        await _store.SaveReceiptAsync("s:a:b", "b", 5, 3).WithDeadline();
        await Task.WhenAll(
            _store.SaveReceiptAsync("s:a:b", "b", 4, 4),
            _store.SaveReceiptAsync("s:a:b", "a", 1, 0)).WithDeadline();

        var receipts = (await _store.GetReceiptsAsync("s:a:b").WithDeadline()).OrderBy(r => r.UserId).ToList();

        Assert.Equal(
            [new Receipt { ConversationId = "s:a:b", UserId = "a", DeliveredSeq = 1, ReadSeq = 0 },
             new Receipt { ConversationId = "s:a:b", UserId = "b", DeliveredSeq = 5, ReadSeq = 4 }],
            receipts);
    }

    [Fact]
    public async Task Writes_queued_before_stop_are_committed_and_readable_after_a_restart()
    {
        var pending = Enumerable.Range(1, 300).Select(seq => _store.AppendAsync(Message("s:a:b", seq))).ToList();
        await _store.StopAsync(CancellationToken.None).WithDeadline();
        await Task.WhenAll(pending).WithDeadline();
        await Assert.ThrowsAsync<InvalidOperationException>(() => _store.AppendAsync(Message("s:a:b", 301)).WithDeadline());

        _store = await StartStoreAsync();

        Assert.Equal(300, await _store.GetMaxSeqAsync("s:a:b").WithDeadline());
    }

    [Fact]
    public async Task Making_writes_durable_on_an_idle_store_commits_a_real_write_and_connections_other_than_the_writer_skip_the_fsync()
    {
        // A transaction that writes nothing commits without an fsync; the barrier must write (the header's user_version).
        await _store.MakeDurableAsync().WithDeadline();
        await _store.MakeDurableAsync().WithDeadline();

        await using var connection = await _folder.DataSource.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        Assert.Equal(2L, Convert.ToInt64(await command.ExecuteScalarAsync()));
        command.CommandText = "PRAGMA synchronous";
        Assert.Equal(1L, Convert.ToInt64(await command.ExecuteScalarAsync())); // NORMAL; the writer's own connection runs FULL
    }

    [Fact]
    public async Task A_revoke_blanks_the_message_in_every_read_and_survives_a_restart()
    {
        var ids = Enumerable.Range(0, 64).Select(c => $"s:r{c}:x").ToList();
        await Task.WhenAll(ids.SelectMany(id => Enumerable.Range(1, 3).Select(seq => _store.AppendAsync(Message(id, seq))))).WithDeadline();

        await Task.WhenAll(ids.Select(id => _store.AppendRevokeAsync(2, Message(id, 4) with { Content = "revoke 2" }))).WithDeadline();
        await AssertRevokedAsync();
        await _store.StopAsync(CancellationToken.None).WithDeadline();
        _store = await StartStoreAsync();
        await AssertRevokedAsync();

        async Task AssertRevokedAsync()
        {
            foreach (var id in ids)
            {
                var all = await _store.ReadRangeAsync(id, 1, 10, 10).WithDeadline();
                Assert.Equal([MessageStatus.Normal, MessageStatus.Revoked, MessageStatus.Normal, MessageStatus.Normal], all.Select(m => m.Status));
                Assert.Equal("", all[1].Content);
                Assert.Equal(MessageStatus.Revoked, (await _store.GetAsync(id, 2).WithDeadline())!.Status);
            }
        }
    }

    [Fact]
    public async Task Hidden_messages_read_as_deleted_for_their_viewer_only_and_pages_keep_the_newest()
    {
        for (var seq = 1; seq <= 30; seq++)
        {
            await _store.AppendAsync(Message("s:a:b", seq)).WithDeadline();
        }

        await _store.HideAsync("b", "s:a:b", [3, 29]).WithDeadline();
        var newest = await _store.ReadRangeAsync("s:a:b", 1, 30, 5, viewerId: "b").WithDeadline();
        var oldest = await _store.ReadRangeAsync("s:a:b", 1, 4, 10, viewerId: "b").WithDeadline();
        var forA = await _store.ReadRangeAsync("s:a:b", 25, 30, 10, viewerId: "a").WithDeadline();

        Assert.Equal([26L, 27, 28, 29, 30], newest.Select(m => m.Seq));
        Assert.Equal(MessageStatus.Deleted, newest[3].Status);
        Assert.Equal("", newest[3].Content);
        Assert.Equal([1L, 2, 3, 4], oldest.Select(m => m.Seq));
        Assert.Equal(MessageStatus.Deleted, oldest[2].Status);
        Assert.All(forA, m => Assert.Equal(MessageStatus.Normal, m.Status));
        Assert.Equal(30, (await _store.GetLatestAsync(["s:a:b"]).WithDeadline())["s:a:b"].Seq);
        Assert.Equal(30, await _store.GetMaxSeqAsync("s:a:b").WithDeadline());
    }

    private Task<MessageStore> StartStoreAsync() => _folder.StartStoreAsync();

    /// <summary>The test message at (conversation, seq); the tail's tests use it too.</summary>
    internal static StoredMessage Message(string conversationId, long seq) => new()
    {
        ConversationId = conversationId,
        Seq = seq,
        ClientMsgId = $"client-{seq}",
        SenderId = "a",
        Type = MessageType.Text,
        Content = $"content {seq}",
        ClientTimeMs = 1000 + seq,
        ServerTimeMs = 2000 + seq,
        Status = MessageStatus.Normal,
    };
}
