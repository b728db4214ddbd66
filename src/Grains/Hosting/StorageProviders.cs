namespace ImOrleans.Grains.Hosting;

/// <summary>The values <see cref="StorageOptions.Provider"/> accepts.</summary>
public static class StorageProviders
{
    /// <summary>One SQLite file (WAL, synchronous=FULL) for grain state, messages and receipts.</summary>
    public const string Sqlite = "Sqlite";

    /// <summary>
    /// One PostgreSQL database (<see cref="StorageOptions.ConnectionString"/>, required) shared by every silo
    /// of the cluster; the schema is created at start if missing.
    /// </summary>
    public const string PostgreSql = "PostgreSql";
}
