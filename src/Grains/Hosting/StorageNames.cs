namespace ImOrleans.Grains.Hosting;

internal static class StorageNames
{
    /// <summary>The ADO.NET grain storage every ImOrleans grain state uses.</summary>
    public const string Grains = "im";
}
