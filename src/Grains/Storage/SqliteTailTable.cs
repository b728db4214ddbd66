namespace ImOrleans.Grains.Storage;

/// <summary>
/// One bucket's table of the SQLite message tail and the text of the statements on it, built once per bucket.
/// <para>
/// A table per bucket rather than one table keyed by bucket: in one table only the last bucket's appends land on the
/// table's last leaf; every other bucket's last leaf is in the middle, and SQLite splits such a leaf by rebalancing it
/// with its neighbours, which renumbers pages through a page past the end of the file and so makes the commit walk
/// the writer's whole page cache (session 18, item 5). On its own table every append is the last row, and a full leaf
/// splits by starting a new one.
/// </para>
/// </summary>
internal sealed class SqliteTailTable
{
    public SqliteTailTable(int bucket)
    {
        Name = MessageStoreSql.Tail.TableName(bucket);
        Append = MessageStoreSql.Tail.Append(Name);
        Holds = MessageStoreSql.Tail.Holds(Name);
        Revoke = MessageStoreSql.Tail.Revoke(Name);
        MergeInto = MessageStoreSql.Tail.MergeInto(Name);
        Clear = MessageStoreSql.Tail.Clear(Name);
        MaxSeq = MessageStoreSql.Tail.MaxSeq(Name);
        ReadRangeNewestFirst = MessageStoreSql.Tail.ReadRangeNewestFirst(Name);
        Get = MessageStoreSql.Tail.Get(Name);
        FindByClientMsgId = MessageStoreSql.Tail.FindByClientMsgId(Name);
        Latest = MessageStoreSql.Tail.Latest(Name);
    }

    public string Name { get; }

    public string Append { get; }

    public string Holds { get; }

    public string Revoke { get; }

    /// <summary>Copies the table's rows into im_messages, sorted.</summary>
    public string MergeInto { get; }

    public string Clear { get; }

    public string MaxSeq { get; }

    public string ReadRangeNewestFirst { get; }

    public string Get { get; }

    public string FindByClientMsgId { get; }

    public string Latest { get; }
}
