namespace ImOrleans.Grains.Storage;

/// <summary>
/// The message store's statements. They are portable on purpose (ON CONFLICT, excluded, LIMIT and
/// CASE work on SQLite and PostgreSQL alike), so a new database needs only a connection factory
/// and a schema script.
/// </summary>
internal static class MessageStoreSql
{
    private const string Columns =
        "conversation_id, seq, client_msg_id, sender_id, msg_type, content, attachments, client_time_ms, server_time_ms, status";

    // DO NOTHING rather than failing: a taken seq (e.g. two activations of one conversation during a
    // cluster split) must fail only its own sender, not the whole batch it was committed with.
    public const string Append =
        $"INSERT INTO im_messages ({Columns}) VALUES (@conversation_id, @seq, @client_msg_id, @sender_id, @msg_type, @content, @attachments, @client_time_ms, @server_time_ms, @status) ON CONFLICT (conversation_id, seq) DO NOTHING";

    public const string SaveReceipt =
        "INSERT INTO im_receipts (conversation_id, user_id, delivered_seq, read_seq) VALUES (@conversation_id, @user_id, @delivered_seq, @read_seq) " +
        "ON CONFLICT (conversation_id, user_id) DO UPDATE SET " +
        "delivered_seq = CASE WHEN excluded.delivered_seq > im_receipts.delivered_seq THEN excluded.delivered_seq ELSE im_receipts.delivered_seq END, " +
        "read_seq = CASE WHEN excluded.read_seq > im_receipts.read_seq THEN excluded.read_seq ELSE im_receipts.read_seq END";

    public const string MaxSeq =
        "SELECT COALESCE(MAX(seq), 0) FROM im_messages WHERE conversation_id = @conversation_id";

    public const string ReadRangeNewestFirst =
        $"SELECT {Columns} FROM im_messages WHERE conversation_id = @conversation_id AND seq >= @min_seq AND seq <= @max_seq ORDER BY seq DESC LIMIT @limit";

    public const string FindByClientMsgId =
        $"SELECT {Columns} FROM im_messages WHERE conversation_id = @conversation_id AND client_msg_id = @client_msg_id ORDER BY seq LIMIT 1";

    public const string Latest =
        $"SELECT {Columns} FROM im_messages WHERE conversation_id = @conversation_id ORDER BY seq DESC LIMIT 1";

    public const string Receipts =
        "SELECT user_id, delivered_seq, read_seq FROM im_receipts WHERE conversation_id = @conversation_id";
}
