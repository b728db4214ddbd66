using ImOrleans.Grains.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace ImOrleans.Grains.Hosting;

/// <summary>Grain state, messages and receipts in one SQLite file.</summary>
internal static class SqliteStorage
{
    public const string FileName = "imorleans.db";

    // The ADO.NET provider maps this invariant to Microsoft.Data.Sqlite's factory
    // ("Microsoft.Data.Sqlite" itself is not a known invariant and fails at start).
    private const string AdoNetInvariant = "System.Data.SQLite";

    public static void Add(ISiloBuilder builder, StorageOptions storage)
    {
        var dataSource = new SqliteDataSource(storage.ConnectionString ?? DefaultConnectionString(storage.DataDirectory));
        SqliteSchema.Apply(dataSource);

        builder.AddAdoNetGrainStorage(StorageNames.Grains, options => options.Configure<Serializer>((o, serializer) =>
        {
            o.Invariant = AdoNetInvariant;
            o.DataSource = dataSource;
            // Orleans' own binary format: state types are found by [Alias] and fields by [Id], so
            // renaming a state class or adding a field does not orphan stored state (the default
            // JSON payload embeds .NET type names).
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));

        builder.Services.AddSingleton(sp => new MessageStore(dataSource, sp.GetRequiredService<ILogger<MessageStore>>()));
        builder.Services.AddSingleton(sp => new SqliteCheckpointer(dataSource, sp.GetRequiredService<MessageStore>(), sp.GetRequiredService<ILogger<SqliteCheckpointer>>()));
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SqliteCheckpointerLifecycle>();
    }

    private static string DefaultConnectionString(string dataDirectory)
    {
        var folder = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(folder);
        return new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(folder, FileName),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
    }
}
