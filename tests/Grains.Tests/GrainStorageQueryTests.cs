using ImOrleans.Grains.Storage;
using Microsoft.Data.Sqlite;

namespace ImOrleans.Grains.Tests;

/// <summary>
/// Our OrleansQuery rows against the contract the ADO.NET grain storage provider relies on: a write
/// returns the new version, or the version it was sent (no row when it was sent none) on a conflict.
/// </summary>
public sealed class GrainStorageQueryTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "imorleans-query-tests-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteDataSource _dataSource;

    public GrainStorageQueryTests()
    {
        Directory.CreateDirectory(_folder);
        _dataSource = new SqliteDataSource(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "q.db") }.ToString());
        SqliteSchema.Apply(_dataSource);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Writes_follow_optimistic_concurrency_and_reads_return_the_latest_payload()
    {
        Assert.Empty(Read("user:a"));
        Assert.Equal([1], Write("user:a", null, [1]));      // insert
        Assert.Empty(Write("user:a", null, [9]));           // a second activation's insert loses
        Assert.Equal([2], Write("user:a", 1, [2]));         // update from the version read
        Assert.Equal([1], Write("user:a", 1, [9]));         // stale version: conflict
        Assert.Equal([5], Write("user:nobody", 5, [9]));    // a version for a row that is not there: conflict
        Assert.Equal([1], Write("user:A", null, [3]));      // keys are case-sensitive
        Assert.Equal([1], Write(null, null, [4]));          // integer keys come without a string: stored as ''
        Assert.Equal([2], Write(null, 1, [5]));

        Assert.Equal([("02", 2L)], Read("user:a"));
        Assert.Equal([("03", 1L)], Read("user:A"));
        Assert.Empty(Read("user:nobody"));

        Assert.Equal([3], Run("ClearStorageKey", "user:a", 2, null));
        Assert.Equal([2], Run("ClearStorageKey", "user:a", 2, null)); // stale clear: conflict
        Assert.Equal([((string?)null, 3L)], Read("user:a"));
    }

    private List<long?> Write(string? key, int? version, byte[] payload) => Run("WriteToStorageKey", key, version, payload);

    private List<(string? PayloadHex, long Version)> Read(string key)
    {
        using var connection = _dataSource.OpenConnection();
        using var command = Command(connection, "ReadFromStorageKey", key, null, null);
        using var reader = command.ExecuteReader();
        var rows = new List<(string?, long)>();
        while (reader.Read())
        {
            rows.Add((reader.IsDBNull(0) ? null : Convert.ToHexString((byte[])reader.GetValue(0)), reader.GetInt64(1)));
        }

        return rows;
    }

    private List<long?> Run(string queryKey, string? key, int? version, byte[]? payload)
    {
        using var connection = _dataSource.OpenConnection();
        using var command = Command(connection, queryKey, key, version, payload);
        using var reader = command.ExecuteReader();
        var versions = new List<long?>();
        do
        {
            while (reader.Read())
            {
                versions.Add(reader.IsDBNull(0) ? null : reader.GetInt64(0));
            }
        }
        while (reader.NextResult());

        return versions;
    }

    private static System.Data.Common.DbCommand Command(System.Data.Common.DbConnection connection, string queryKey, string? key, int? version, byte[]? payload)
    {
        using var lookup = connection.CreateCommand();
        lookup.CommandText = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = @k";
        lookup.Parameters.Add(new SqliteParameter("k", queryKey));
        var command = connection.CreateCommand();
        command.CommandText = (string)lookup.ExecuteScalar()!;
        foreach (var (name, value) in new (string, object?)[]
        {
            ("GrainIdHash", 42), ("GrainIdN0", 0L), ("GrainIdN1", key is null ? 5L : 0L), ("GrainTypeHash", 7),
            ("GrainTypeString", "user"), ("GrainIdExtensionString", key), ("ServiceId", "svc"),
            ("GrainStateVersion", version), ("PayloadBinary", payload),
        })
        {
            command.Parameters.Add(new SqliteParameter(name, value ?? DBNull.Value));
        }

        return command;
    }
}
