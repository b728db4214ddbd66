namespace ImOrleans.Grains.Hosting;

/// <summary>Where the silo keeps grain state, messages and receipts, bound from the configuration section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Storage";

    /// <summary>
    /// The database: "Sqlite" (default, a file in <see cref="DataDirectory"/>, one silo) or "PostgreSql"
    /// (<see cref="ConnectionString"/> required; what a cluster of several silos needs). Any other value fails at start.
    /// </summary>
    public string Provider { get; set; } = StorageProviders.Sqlite;

    /// <summary>Folder of the SQLite file <c>imorleans.db</c>, created if missing. Default "data". Ignored when <see cref="ConnectionString"/> is set.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// A full connection string for the provider; overrides <see cref="DataDirectory"/> for SQLite and is required for
    /// PostgreSQL (Npgsql syntax: "Host=...;Port=5432;Username=...;Password=...;Database=..."). Default null.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>One readable line per problem that would stop the silo from starting; empty when the settings are usable.</summary>
    public IEnumerable<string> Validate()
    {
        if (string.Equals(Provider, StorageProviders.PostgreSql, StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(ConnectionString))
            {
                yield return "Storage:ConnectionString is required with Storage:Provider PostgreSql (e.g. \"Host=127.0.0.1;Port=5432;Username=postgres;Database=imorleans\").";
            }
        }
        else if (!string.Equals(Provider, StorageProviders.Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            yield return $"Storage:Provider '{Provider}' is not supported; use {StorageProviders.Sqlite} or {StorageProviders.PostgreSql}.";
        }
    }
}
