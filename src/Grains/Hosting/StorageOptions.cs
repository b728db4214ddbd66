namespace ImOrleans.Grains.Hosting;

/// <summary>Where the silo keeps grain state, messages and receipts.</summary>
public sealed class StorageOptions
{
    /// <summary>The database: "Sqlite" (default, a file in <see cref="DataDirectory"/>). Any other value fails at configuration.</summary>
    public string Provider { get; set; } = StorageProviders.Sqlite;

    /// <summary>Folder of the SQLite file <c>imorleans.db</c>, created if missing. Default "data". Ignored when <see cref="ConnectionString"/> is set.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>A full connection string for the provider; overrides <see cref="DataDirectory"/>. Default null.</summary>
    public string? ConnectionString { get; set; }
}
