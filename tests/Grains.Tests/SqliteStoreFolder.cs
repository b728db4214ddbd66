using ImOrleans.Grains.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImOrleans.Grains.Tests;

/// <summary>A throwaway folder holding a SQLite database with the store's schema, for tests of the store without a silo.</summary>
internal sealed class SqliteStoreFolder
{
    public SqliteStoreFolder()
    {
        Directory.CreateDirectory(Path);
        DataSource = new SqliteDataSource(new SqliteConnectionStringBuilder { DataSource = System.IO.Path.Combine(Path, "store.db") }.ToString());
        SqliteSchema.Apply(DataSource);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "imorleans-store-tests-" + Guid.NewGuid().ToString("N"));

    public SqliteDataSource DataSource { get; }

    /// <summary>A message store on the database, its writer started; <paramref name="tail"/> replaces the default message tail.</summary>
    public async Task<MessageStore> StartStoreAsync(SqliteMessageTail? tail = null)
    {
        var store = new MessageStore(DataSource, NullLogger<MessageStore>.Instance, tail: tail);
        await store.StartAsync(CancellationToken.None);
        return store;
    }

    /// <summary>Stops <paramref name="store"/> (its queued writes committed) and deletes the folder.</summary>
    public async Task DeleteAsync(MessageStore store)
    {
        await store.StopAsync(CancellationToken.None).WaitAsync(TestExtensions.Deadline);
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}
