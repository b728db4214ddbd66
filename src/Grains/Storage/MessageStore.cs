using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using ImOrleans.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace ImOrleans.Grains.Storage;

/// <summary>
/// <see cref="IMessageStore"/> over any ADO.NET database: reads open their own pooled connections;
/// writes queue into one bounded channel that a single writer loop group-commits
/// (see MessageStore.Writer.cs).
/// </summary>
internal sealed partial class MessageStore : IMessageStore
{
    /// <summary>Most writes committed in one transaction.</summary>
    public const int DefaultMaxBatchSize = 512;

    /// <summary>Queued writes before appenders wait: bounds memory when the database falls behind.</summary>
    public const int DefaultQueueCapacity = 16_384;

    private readonly DbDataSource _dataSource;
    private readonly ILogger<MessageStore> _logger;
    private readonly Channel<PendingWrite> _queue;
    private readonly int _maxBatchSize;

    public MessageStore(
        DbDataSource dataSource,
        ILogger<MessageStore> logger,
        int maxBatchSize = DefaultMaxBatchSize,
        int queueCapacity = DefaultQueueCapacity,
        int unmergedLimit = DefaultUnmergedLimit)
    {
        _dataSource = dataSource;
        _unmerged = dataSource is SqliteDataSource ? new UnmergedMessages() : null;
        _unmergedLimit = unmergedLimit;
        _logger = logger;
        _maxBatchSize = maxBatchSize;
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,

            // The writer thread blocks until a write is queued; this wakes it from the appender's own thread. Without
            // it the wake-up is a work item queued behind everything else on a busy thread pool, tens of ms at times.
            AllowSynchronousContinuations = true,
        });
    }

    public Task AppendAsync(StoredMessage message) => EnqueueAsync(PendingWrite.ForAppend(message));

    public Task MakeDurableAsync() =>
        _dataSource is SqliteDataSource ? EnqueueAsync(PendingWrite.ForBarrier()) : Task.CompletedTask;

    public Task AppendRevokeAsync(long revokedSeq, StoredMessage revokeMessage) =>
        EnqueueAsync(PendingWrite.ForRevoke(revokedSeq, revokeMessage));

    public Task HideAsync(string userId, string conversationId, IReadOnlyList<long> seqs) =>
        seqs.Count == 0 ? Task.CompletedTask : EnqueueAsync(PendingWrite.ForHide(userId, conversationId, seqs));

    public Task SaveReceiptAsync(string conversationId, string userId, long deliveredSeq, long readSeq) =>
        EnqueueAsync(PendingWrite.ForReceipt(new Receipt
        {
            ConversationId = conversationId,
            UserId = userId,
            DeliveredSeq = deliveredSeq,
            ReadSeq = readSeq,
        }));

    // On SQLite the newest messages may still be in the append log, mirrored in _unmerged (MessageStore.Merge.cs). Each
    // read looks there first and then in the table: a merge between the two moves messages from memory into a table
    // the later read sees, so nothing falls between; a message found in both is taken from the table.

    public async Task<long> GetMaxSeqAsync(string conversationId)
    {
        var unmerged = _unmerged?.MaxSeq(conversationId) ?? 0;
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = CreateCommand(connection, MessageStoreSql.MaxSeq);
        AddParameter(command, "conversation_id", conversationId);
        var value = await command.ExecuteScalarAsync();
        return Math.Max(unmerged, Convert.ToInt64(value, CultureInfo.InvariantCulture));
    }

    public async Task<IReadOnlyList<StoredMessage>> ReadRangeAsync(string conversationId, long minSeq, long maxSeq, int limit, string? viewerId = null)
    {
        var unmerged = _unmerged?.InRange(conversationId, minSeq, maxSeq) ?? [];
        await using var connection = await _dataSource.OpenConnectionAsync();
        var messages = new List<StoredMessage>(Math.Min(limit, 128));

        // Unmerged messages are a conversation's newest: with a page's worth of them, the table has nothing newer.
        if (unmerged.Count < limit)
        {
            await using var command = CreateCommand(connection, MessageStoreSql.ReadRangeNewestFirst);
            AddParameter(command, "conversation_id", conversationId);
            AddParameter(command, "min_seq", minSeq);
            AddParameter(command, "max_seq", maxSeq);
            AddParameter(command, "limit", limit);
            AddParameter(command, "viewer_id", viewerId ?? "");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var message = ReadMessage(reader);
                messages.Add(reader.GetInt32(10) == 0 ? message : AsDeleted(message));
            }
        }

        // Selected newest first so LIMIT keeps the newest page; handed out ascending.
        messages.Reverse();
        if (unmerged.Count == 0)
        {
            return messages;
        }

        var hidden = await HiddenSeqsAsync(connection, conversationId, viewerId, unmerged[0].Seq, unmerged[^1].Seq);
        var newestInTable = messages.Count == 0 ? 0 : messages[^1].Seq;
        foreach (var message in unmerged)
        {
            if (message.Seq > newestInTable)
            {
                messages.Add(hidden.Contains(message.Seq) ? AsDeleted(message) : message);
            }
        }

        return messages.Count > limit ? messages[^limit..] : messages;
    }

    public async Task<StoredMessage?> GetAsync(string conversationId, long seq)
    {
        if (_unmerged?.Get(conversationId, seq) is { } unmerged)
        {
            return unmerged;
        }

        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = CreateCommand(connection, MessageStoreSql.Get);
        AddParameter(command, "conversation_id", conversationId);
        AddParameter(command, "seq", seq);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? ReadMessage(reader) : null;
    }

    public async Task<StoredMessage?> FindByClientMsgIdAsync(string conversationId, string clientMsgId, long minSeq)
    {
        // The table's messages are older than the unmerged ones: a match there is the first one.
        var unmerged = _unmerged?.FindByClientMsgId(conversationId, clientMsgId, minSeq);
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = CreateCommand(connection, MessageStoreSql.FindByClientMsgId);
        AddParameter(command, "conversation_id", conversationId);
        AddParameter(command, "client_msg_id", clientMsgId);
        AddParameter(command, "min_seq", minSeq);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? ReadMessage(reader) : unmerged;
    }

    public async Task<IReadOnlyDictionary<string, StoredMessage>> GetLatestAsync(IReadOnlyCollection<string> conversationIds)
    {
        var latest = new Dictionary<string, StoredMessage>(conversationIds.Count, StringComparer.Ordinal);
        var fromTable = new List<string>(conversationIds.Count);
        foreach (var conversationId in conversationIds)
        {
            if (_unmerged?.Latest(conversationId) is { } unmerged)
            {
                latest[conversationId] = unmerged;
            }
            else
            {
                fromTable.Add(conversationId);
            }
        }

        if (fromTable.Count == 0)
        {
            return latest;
        }

        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = CreateCommand(connection, MessageStoreSql.Latest);
        var id = AddParameter(command, "conversation_id", "");
        foreach (var conversationId in fromTable)
        {
            id.Value = conversationId;
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                latest[conversationId] = ReadMessage(reader);
            }
        }

        return latest;
    }

    private static async Task<HashSet<long>> HiddenSeqsAsync(DbConnection connection, string conversationId, string? viewerId, long minSeq, long maxSeq)
    {
        var hidden = new HashSet<long>();
        if (string.IsNullOrEmpty(viewerId))
        {
            return hidden;
        }

        await using var command = CreateCommand(connection, MessageStoreSql.HiddenSeqs);
        AddParameter(command, "viewer_id", viewerId);
        AddParameter(command, "conversation_id", conversationId);
        AddParameter(command, "min_seq", minSeq);
        AddParameter(command, "max_seq", maxSeq);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            hidden.Add(reader.GetInt64(0));
        }

        return hidden;
    }

    private static StoredMessage AsDeleted(StoredMessage message) =>
        message with { Status = MessageStatus.Deleted, Content = "", Attachments = [] };

    public async Task<IReadOnlyList<Receipt>> GetReceiptsAsync(string conversationId)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = CreateCommand(connection, MessageStoreSql.Receipts);
        AddParameter(command, "conversation_id", conversationId);
        var receipts = new List<Receipt>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            receipts.Add(new Receipt
            {
                ConversationId = conversationId,
                UserId = reader.GetString(0),
                DeliveredSeq = reader.GetInt64(1),
                ReadSeq = reader.GetInt64(2),
            });
        }

        return receipts;
    }

    private static DbCommand CreateCommand(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static DbParameter AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        // Named exactly as in the SQL: without the '@' Microsoft.Data.Sqlite tries every prefix on
        // each execution (several native lookups per parameter per row).
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static StoredMessage ReadMessage(DbDataReader reader) => new()
    {
        ConversationId = reader.GetString(0),
        Seq = reader.GetInt64(1),
        ClientMsgId = reader.GetString(2),
        SenderId = reader.GetString(3),
        Type = (MessageType)reader.GetInt32(4),
        Content = reader.GetString(5),
        Attachments = reader.IsDBNull(6)
            ? []
            : JsonSerializer.Deserialize(reader.GetString(6), StoreJsonContext.Default.ListAttachmentInfo) ?? [],
        ClientTimeMs = reader.GetInt64(7),
        ServerTimeMs = reader.GetInt64(8),
        Status = (MessageStatus)reader.GetInt32(9),
    };

    private static object SerializeAttachments(IReadOnlyList<AttachmentInfo> attachments) =>
        attachments.Count == 0
            ? DBNull.Value
            : JsonSerializer.Serialize(attachments as List<AttachmentInfo> ?? [.. attachments], StoreJsonContext.Default.ListAttachmentInfo);
}
