namespace ImOrleans.Grains.Hosting;

/// <summary>The values <see cref="StorageOptions.Provider"/> accepts.</summary>
public static class StorageProviders
{
    public const string Sqlite = "Sqlite";
}
