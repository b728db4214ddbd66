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

    /// <summary>SQLite's message tail (see <see cref="SqliteMessageTail"/>); null on a database that batches (PostgreSQL).</summary>
    private readonly SqliteMessageTail? _tail;

    public MessageStore(
        DbDataSource dataSource,
        ILogger<MessageStore> logger,
        int maxBatchSize = DefaultMaxBatchSize,
        int queueCapacity = DefaultQueueCapacity,
        SqliteMessageTail? tail = null)
    {
        _dataSource = dataSource;
        _logger = logger;
        _maxBatchSize = maxBatchSize;
        _tail = dataSource is SqliteDataSource ? tail ?? new SqliteMessageTail() : null;

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

    public Task AppendAsync(StoredMessage message, long chain = 0) => EnqueueAsync(PendingWrite.ForAppend(message, chain));

    public Task MakeDurableAsync() =>
        _dataSource is SqliteDataSource ? EnqueueAsync(PendingWrite.ForBarrier()) : Task.CompletedTask;

    public Task AppendRevokeAsync(long revokedSeq, StoredMessage revokeMessage, long chain = 0) =>
        EnqueueAsync(PendingWrite.ForRevoke(revokedSeq, revokeMessage, chain));

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

    public async Task<long> GetMaxSeqAsync(string conversationId)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = CreateReadCommand(connection, conversationId, MessageStoreSql.MaxSeq, t => t.MaxSeq);
        var value = await command.ExecuteScalarAsync();
        return Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<StoredMessage>> ReadRangeAsync(string conversationId, long minSeq, long maxSeq, int limit, string? viewerId = null)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = CreateReadCommand(connection, conversationId, MessageStoreSql.ReadRangeNewestFirst, t => t.ReadRangeNewestFirst);
        AddParameter(command, "min_seq", minSeq);
        AddParameter(command, "max_seq", maxSeq);
        AddParameter(command, "limit", limit);
        AddParameter(command, "viewer_id", viewerId ?? "");
        var messages = new List<StoredMessage>(Math.Min(limit, 128));
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var message = ReadMessage(reader);
                messages.Add(reader.GetInt32(10) == 0
                    ? message
                    : message with { Status = MessageStatus.Deleted, Content = "", Attachments = [] });
            }
        }

        // Selected newest first so LIMIT keeps the newest page; handed out ascending.
        messages.Reverse();
        return messages;
    }

    public async Task<StoredMessage?> GetAsync(string conversationId, long seq)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = CreateReadCommand(connection, conversationId, MessageStoreSql.Get, t => t.Get);
        AddParameter(command, "seq", seq);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? ReadMessage(reader) : null;
    }

    public async Task<StoredMessage?> FindByClientMsgIdAsync(string conversationId, string clientMsgId, long minSeq)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = CreateReadCommand(connection, conversationId, MessageStoreSql.FindByClientMsgId, t => t.FindByClientMsgId);
        AddParameter(command, "client_msg_id", clientMsgId);
        AddParameter(command, "min_seq", minSeq);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? ReadMessage(reader) : null;
    }

    public async Task<IReadOnlyDictionary<string, StoredMessage>> GetLatestAsync(IReadOnlyCollection<string> conversationIds)
    {
        var latest = new Dictionary<string, StoredMessage>(conversationIds.Count, StringComparer.Ordinal);
        if (conversationIds.Count == 0)
        {
            return latest;
        }

        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var plain = CreateCommand(connection, MessageStoreSql.Latest);
        var plainId = AddParameter(plain, "conversation_id", "");
        // One command per tail table this read needs, made when first needed.
        var withTail = new Dictionary<int, (DbCommand Command, DbParameter Id)>();
        try
        {
            foreach (var conversationId in conversationIds)
            {
                var command = plain;
                plainId.Value = conversationId;
                if (_tail is { } tail && tail.Holds(conversationId))
                {
                    var bucket = tail.BucketOf(conversationId);
                    if (!withTail.TryGetValue(bucket, out var read))
                    {
                        var tailCommand = CreateCommand(connection, tail.Table(bucket).Latest);
                        withTail[bucket] = read = (tailCommand, AddParameter(tailCommand, "conversation_id", ""));
                    }

                    command = read.Command;
                    read.Id.Value = conversationId;
                }

                await using var reader = await command.ExecuteReaderAsync();
                if (await reader.ReadAsync())
                {
                    latest[conversationId] = ReadMessage(reader);
                }
            }
        }
        finally
        {
            foreach (var (command, _) in withTail.Values)
            {
                await command.DisposeAsync();
            }
        }

        return latest;
    }

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
        AttachmentsJson(attachments) ?? (object)DBNull.Value;

    /// <summary>The attachments column: JSON, or null (SQL NULL) for none.</summary>
    private static string? AttachmentsJson(IReadOnlyList<AttachmentInfo> attachments) =>
        attachments.Count == 0
            ? null
            : JsonSerializer.Serialize(attachments as List<AttachmentInfo> ?? [.. attachments], StoreJsonContext.Default.ListAttachmentInfo);
}
