namespace ImOrleans.Grains.Storage;

/// <summary>
/// The message store's statements. They are portable on purpose (ON CONFLICT, excluded, LIMIT and
/// CASE work on SQLite and PostgreSQL alike), so a new database needs only a connection factory
/// and a schema script. <see cref="Tail"/> is SQLite's own: its message tail.
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

    // The viewer's hidden (deleted for them) messages come back flagged, not left out, so seqs stay contiguous.
    public const string ReadRangeNewestFirst =
        "SELECT m.conversation_id, m.seq, m.client_msg_id, m.sender_id, m.msg_type, m.content, m.attachments, m.client_time_ms, m.server_time_ms, m.status, " +
        "CASE WHEN h.seq IS NULL THEN 0 ELSE 1 END AS hidden " +
        "FROM im_messages m LEFT JOIN im_hidden h ON h.user_id = @viewer_id AND h.conversation_id = m.conversation_id AND h.seq = m.seq " +
        "WHERE m.conversation_id = @conversation_id AND m.seq >= @min_seq AND m.seq <= @max_seq ORDER BY m.seq DESC LIMIT @limit";

    public const string Get =
        $"SELECT {Columns} FROM im_messages WHERE conversation_id = @conversation_id AND seq = @seq";

    // A revoked message keeps its row (and so its seq) but loses its content and attachments.
    public const string Revoke =
        "UPDATE im_messages SET status = 2, content = '', attachments = NULL WHERE conversation_id = @conversation_id AND seq = @seq";

    public const string Hide =
        "INSERT INTO im_hidden (user_id, conversation_id, seq) VALUES (@user_id, @conversation_id, @seq) ON CONFLICT (user_id, conversation_id, seq) DO NOTHING";

    // A scan of the conversation's key range from @min_seq, filtered: there is no index on client_msg_id (see the
    // schema), so the caller bounds the range (MessageLog.ResendWindow).
    public const string FindByClientMsgId =
        $"SELECT {Columns} FROM im_messages WHERE conversation_id = @conversation_id AND seq >= @min_seq AND client_msg_id = @client_msg_id ORDER BY seq LIMIT 1";

    public const string Latest =
        $"SELECT {Columns} FROM im_messages WHERE conversation_id = @conversation_id ORDER BY seq DESC LIMIT 1";

    public const string Receipts =
        "SELECT user_id, delivered_seq, read_seq FROM im_receipts WHERE conversation_id = @conversation_id";

    /// <summary>
    /// SQLite's message tail (<see cref="SqliteMessageTail"/>): a table per bucket, <c>im_message_tail_{bucket}</c>, and the
    /// statements on one of them (<see cref="SqliteTailTable"/> holds them for its bucket). A read of a conversation the
    /// tail holds reads its bucket's table besides <c>im_messages</c>.
    /// </summary>
    public static class Tail
    {
        /// <summary>
        /// A view of every bucket's rows, with the bucket as its first column (for the writer's recount and for tools). A
        /// file written before the tail had a table per bucket has a table of this name instead, which the store merges and
        /// replaces when it starts.
        /// </summary>
        public const string AllBuckets = "im_message_tail";

        public static string TableName(int bucket) => $"im_message_tail_{bucket}";

        public static string Create(string table) =>
            $"CREATE TABLE IF NOT EXISTS {table} (tail_id INTEGER PRIMARY KEY, {SqliteSchema.MessageColumns})";

        /// <summary>
        /// The tail's tables and view the file has, with their type ('table' or 'view'): the current tables, ones of a
        /// larger bucket count, the view, or instead of it the single table of before.
        /// </summary>
        public const string Tables =
            "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND (name = 'im_message_tail' OR name GLOB 'im_message_tail_[0-9]*')";

        // Sorted, so that each conversation's rows reach its page of im_messages together.
        public static string MergeInto(string table) =>
            $"INSERT INTO im_messages ({Columns}) SELECT {Columns} FROM {table} ORDER BY conversation_id, seq";

        public static string View(int buckets) =>
            $"CREATE VIEW {AllBuckets} AS " + string.Join(" UNION ALL ", Enumerable.Range(0, buckets).Select(b => $"SELECT {b} AS bucket, * FROM {TableName(b)}"));

        // tail_id is left to SQLite: one more than the table's largest, so every append lands on the table's last leaf,
        // which splits with SQLite's cheap append split.
        public static string Append(string table) =>
            $"INSERT INTO {table} ({Columns}) " +
            "VALUES (@conversation_id, @seq, @client_msg_id, @sender_id, @msg_type, @content, @attachments, @client_time_ms, @server_time_ms, @status)";

        // Whether the seq is free is decided before (see MessageStore.Tail.cs).
        public static string Holds(string table) =>
            $"SELECT 1 FROM {table} WHERE conversation_id = @conversation_id AND seq = @seq";

        public const string MergedHolds =
            "SELECT 1 FROM im_messages WHERE conversation_id = @conversation_id AND seq = @seq";

        public static string Revoke(string table) =>
            $"UPDATE {table} SET status = 2, content = '', attachments = NULL WHERE conversation_id = @conversation_id AND seq = @seq";

        // No WHERE: SQLite then frees the table's pages whole instead of deleting row by row.
        public static string Clear(string table) => $"DELETE FROM {table}";

        /// <summary>Per conversation in the tail: its bucket, newest seq there, rows, and the newest seq merged.</summary>
        public const string Held =
            "SELECT bucket, conversation_id, MAX(seq), COUNT(*), " +
            "(SELECT COALESCE(MAX(m.seq), 0) FROM im_messages m WHERE m.conversation_id = t.conversation_id) " +
            $"FROM {AllBuckets} t GROUP BY bucket, conversation_id";

        public static string MaxSeq(string table) =>
            "SELECT MAX((SELECT COALESCE(MAX(seq), 0) FROM im_messages WHERE conversation_id = @conversation_id), " +
            $"(SELECT COALESCE(MAX(seq), 0) FROM {table} WHERE conversation_id = @conversation_id))";

        // im_messages gives at most @limit rows, so a long history is never sorted whole; the tail gives the conversation's
        // rows in its bucket (at most the bucket's: one to two thousand).
        public static string ReadRangeNewestFirst(string table) =>
            "SELECT m.conversation_id, m.seq, m.client_msg_id, m.sender_id, m.msg_type, m.content, m.attachments, m.client_time_ms, m.server_time_ms, m.status, " +
            "CASE WHEN h.seq IS NULL THEN 0 ELSE 1 END AS hidden " +
            $"FROM (SELECT * FROM (SELECT {Columns} FROM im_messages WHERE conversation_id = @conversation_id AND seq >= @min_seq AND seq <= @max_seq ORDER BY seq DESC LIMIT @limit) " +
            $"UNION ALL SELECT * FROM (SELECT {Columns} FROM {table} WHERE conversation_id = @conversation_id AND seq >= @min_seq AND seq <= @max_seq)) m " +
            "LEFT JOIN im_hidden h ON h.user_id = @viewer_id AND h.conversation_id = m.conversation_id AND h.seq = m.seq " +
            "ORDER BY m.seq DESC LIMIT @limit";

        public static string Get(string table) =>
            $"SELECT {Columns} FROM im_messages WHERE conversation_id = @conversation_id AND seq = @seq " +
            $"UNION ALL SELECT {Columns} FROM {table} WHERE conversation_id = @conversation_id AND seq = @seq";

        public static string FindByClientMsgId(string table) =>
            $"SELECT * FROM (SELECT {Columns} FROM im_messages WHERE conversation_id = @conversation_id AND seq >= @min_seq AND client_msg_id = @client_msg_id ORDER BY seq LIMIT 1) " +
            $"UNION ALL SELECT * FROM (SELECT {Columns} FROM {table} WHERE conversation_id = @conversation_id AND seq >= @min_seq AND client_msg_id = @client_msg_id) " +
            "ORDER BY seq LIMIT 1";

        // The tail is walked back from the table's end to the conversation's last row, instead of scanning the whole
        // table for its highest seq: a conversation's owner queues its appends in seq order, so its newest message is
        // its last row (a second owner during a cluster split could add a lower, free seq after it; this then shows that
        // one until the bucket is merged).
        public static string Latest(string table) =>
            $"SELECT * FROM (SELECT {Columns} FROM im_messages WHERE conversation_id = @conversation_id ORDER BY seq DESC LIMIT 1) " +
            $"UNION ALL SELECT * FROM (SELECT {Columns} FROM {table} WHERE conversation_id = @conversation_id ORDER BY tail_id DESC LIMIT 1) " +
            "ORDER BY seq DESC LIMIT 1";
    }
}
