namespace ImOrleans.Grains.Hosting;

/// <summary>The values <see cref="StorageOptions.Provider"/> accepts.</summary>
public static class StorageProviders
{
    /// <summary>One SQLite file (WAL, synchronous=FULL) for grain state, messages and receipts.</summary>
    public const string Sqlite = "Sqlite";
}
