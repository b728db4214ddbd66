using ImOrleans.Grains.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImOrleans.Grains.Tests;

/// <summary>A throwaway folder holding a SQLite database with the store's schema, for tests of the store without a silo.</summary>
internal sealed class SqliteStoreFolder
{
    /// <param name="crashedFrom">
    /// A folder whose store is running: its database and log are copied as they are on disk now, as a crash of the
    /// process would leave them (no checkpoint, no clean close). Copy while no write is in flight.
    /// </param>
    public SqliteStoreFolder(SqliteStoreFolder? crashedFrom = null)
    {
        Directory.CreateDirectory(Path);
        if (crashedFrom is not null)
        {
            foreach (var file in new[] { "store.db", "store.db-wal" })
            {
                File.Copy(System.IO.Path.Combine(crashedFrom.Path, file), System.IO.Path.Combine(Path, file));
            }
        }

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
