using ImOrleans.Grains;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ImOrleans.Integration.Tests;

/// <summary>The message store on a real PostgreSQL: the same group-committed MessageStore the silos run.</summary>
public sealed class PostgresMessageStoreTests(PostgresDatabaseFixture database, ITestOutputHelper output)
    : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    private MessageStore _store = null!;

    public async Task InitializeAsync()
    {
        if (TestServices.Postgres is not null)
        {
            _store = await StartStoreAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.StopAsync(CancellationToken.None).WithDeadline();
        }
    }

    [IntegrationFact]
    public async Task A_message_round_trips_with_every_field_and_pages_come_newest_first()
    {
        var conversation = NewConversation();
        var attachment = new AttachmentInfo { Id = "f1", Type = "image/png", Name = "猫.png", Url = "https://files.example/cat.png", Size = 1234 };
        for (var seq = 1; seq <= 10; seq++)
        {
            await _store.AppendAsync(Message(conversation, seq) with { Attachments = seq == 5 ? [attachment] : [] }).WithDeadline();
        }

        var page = await _store.ReadRangeAsync(conversation, 2, 8, 3).WithDeadline();
        var five = (await _store.ReadRangeAsync(conversation, 5, 5, 10).WithDeadline()).Single();

        Assert.Equal([6L, 7L, 8L], page.Select(m => m.Seq));
        Assert.Equal(Message(conversation, 5) with { Attachments = five.Attachments }, five);
        Assert.Equal(attachment, Assert.Single(five.Attachments));
        Assert.Equal(10, await _store.GetMaxSeqAsync(conversation).WithDeadline());
        Assert.Equal(0, await _store.GetMaxSeqAsync("s:nothing:here").WithDeadline());
        Assert.Equal(5, (await _store.FindByClientMsgIdAsync(conversation, $"client-{conversation}-5", minSeq: 1).WithDeadline())?.Seq);
        Assert.Null(await _store.FindByClientMsgIdAsync(conversation, $"client-{conversation}-5", minSeq: 6).WithDeadline());
        Assert.Null(await _store.FindByClientMsgIdAsync(conversation, "client-99", minSeq: 1).WithDeadline());
        Assert.Equal(10, (await _store.GetLatestAsync([conversation, "s:none:x"]).WithDeadline())[conversation].Seq);
    }

    [IntegrationFact]
    public async Task Concurrent_appends_from_many_conversations_share_transactions()
    {
        const int conversations = 100, perConversation = 20;
        var ids = Enumerable.Range(0, conversations).Select(_ => NewConversation()).ToList();

        await Task.WhenAll(ids.SelectMany(id => Enumerable.Range(1, perConversation).Select(seq => _store.AppendAsync(Message(id, seq)))))
            .WithDeadline(Deadlines.Long);

        // xmin is the id of the transaction that inserted a row: fewer distinct ids than rows is group commit.
        var (rows, transactions) = await CountRowsAndTransactionsAsync(ids);
        output.WriteLine($"{rows} appends committed in {transactions} transactions");
        Assert.Equal(conversations * perConversation, rows);
        Assert.True(transactions <= rows / 4, $"{rows} appends took {transactions} transactions: not group-committed");
        foreach (var id in ids.Take(5))
        {
            var all = await _store.ReadRangeAsync(id, 1, perConversation, 100).WithDeadline();
            Assert.Equal(Enumerable.Range(1, perConversation).Select(i => (long)i), all.Select(m => m.Seq));
        }
    }

    [IntegrationFact]
    public async Task A_taken_seq_fails_only_its_own_append_and_not_the_batch()
    {
        var conversation = NewConversation();
        await _store.AppendAsync(Message(conversation, 1)).WithDeadline();

        var duplicate = _store.AppendAsync(Message(conversation, 1) with { Content = "impostor" });
        var others = Enumerable.Range(2, 20).Select(seq => _store.AppendAsync(Message(conversation, seq))).ToList();

        await Assert.ThrowsAsync<SeqTakenException>(() => duplicate.WithDeadline());
        await Task.WhenAll(others).WithDeadline();
        var all = await _store.ReadRangeAsync(conversation, 1, 100, 100).WithDeadline();
        Assert.Equal(21, all.Count);
        Assert.Equal($"content {conversation} 1", all[0].Content);
    }

    [IntegrationFact]
    public async Task Receipts_keep_the_highest_delivered_and_read_seq()
    {
        var conversation = NewConversation();
        await _store.SaveReceiptAsync(conversation, "b", 5, 3).WithDeadline();
        await Task.WhenAll(
            _store.SaveReceiptAsync(conversation, "b", 4, 4),
            _store.SaveReceiptAsync(conversation, "a", 1, 0)).WithDeadline();

        var receipts = (await _store.GetReceiptsAsync(conversation).WithDeadline()).OrderBy(r => r.UserId).ToList();

        Assert.Equal(
            [new Receipt { ConversationId = conversation, UserId = "a", DeliveredSeq = 1, ReadSeq = 0 },
             new Receipt { ConversationId = conversation, UserId = "b", DeliveredSeq = 5, ReadSeq = 4 }],
            receipts);
    }

    [IntegrationFact]
    public async Task Writes_queued_before_stop_are_committed_and_a_new_store_reads_them()
    {
        var conversation = NewConversation();
        var pending = Enumerable.Range(1, 300).Select(seq => _store.AppendAsync(Message(conversation, seq))).ToList();
        await _store.StopAsync(CancellationToken.None).WithDeadline();
        await Task.WhenAll(pending).WithDeadline();

        _store = await StartStoreAsync();

        Assert.Equal(300, await _store.GetMaxSeqAsync(conversation).WithDeadline());
    }

    [IntegrationFact]
    public async Task The_schema_can_be_applied_by_several_silos_at_once()
    {
        await using var other = NpgsqlDataSource.Create(database.ConnectionString);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostgresSchema.ApplyAsync(other))).WithDeadline();

        await using var command = other.CreateCommand("SELECT count(*) FROM orleansquery");
        Assert.Equal(3L, await command.ExecuteScalarAsync());
    }

    private async Task<(long Rows, long Transactions)> CountRowsAndTransactionsAsync(IReadOnlyList<string> conversations)
    {
        await using var command = database.DataSource.CreateCommand(
            "SELECT count(*), count(DISTINCT xmin::text) FROM im_messages WHERE conversation_id = ANY(@ids)");
        command.Parameters.AddWithValue("ids", conversations.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task<MessageStore> StartStoreAsync()
    {
        var store = new MessageStore(database.DataSource, NullLogger<MessageStore>.Instance);
        await store.StartAsync(CancellationToken.None);
        return store;
    }

    private static string NewConversation() => $"s:a{Guid.NewGuid():N}:b";

    private static StoredMessage Message(string conversationId, long seq) => new()
    {
        ConversationId = conversationId,
        Seq = seq,
        ClientMsgId = $"client-{conversationId}-{seq}",
        SenderId = "a",
        Type = MessageType.Text,
        Content = $"content {conversationId} {seq}",
        ClientTimeMs = 1000 + seq,
        ServerTimeMs = 2000 + seq,
        Status = MessageStatus.Normal,
    };
}
