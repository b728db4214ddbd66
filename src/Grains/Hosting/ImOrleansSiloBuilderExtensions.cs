using ImOrleans.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ImOrleans.Grains.Hosting;

/// <summary>Adds the ImOrleans grains and their storage to a silo.</summary>
public static class ImOrleansSiloBuilderExtensions
{
    // One entry per supported database; each creates its schema and registers the grain storage
    // named "im" plus a MessageStore over its DbDataSource.
    private static readonly Dictionary<string, Action<ISiloBuilder, StorageOptions>> Providers =
        new(StringComparer.OrdinalIgnoreCase)
        {
            [StorageProviders.Sqlite] = SqliteStorage.Add,
            [StorageProviders.PostgreSql] = PostgresStorage.Add,
        };

    /// <summary>
    /// Prepares the storage (creates the data folder and schema now, before the silo starts) and
    /// registers grain storage, the message store and its writer, the grains' options and
    /// <see cref="TimeProvider.System"/> unless a TimeProvider is already registered.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="StorageOptions.Provider"/> is not a known provider.</exception>
    public static ISiloBuilder AddImOrleansGrains(this ISiloBuilder builder, StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(storage);
        if (!Providers.TryGetValue(storage.Provider ?? "", out var addStorage))
        {
            throw new InvalidOperationException(
                $"Unknown storage provider '{storage.Provider}'. Allowed values: {string.Join(", ", Providers.Keys)}.");
        }

        addStorage(builder, storage);

        var services = builder.Services;
        services.AddSingleton<IMessageStore>(sp => sp.GetRequiredService<MessageStore>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, MessageStoreLifecycle>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SiloDeaths>();
        services.AddHostedService(sp => sp.GetRequiredService<SiloDeaths>());
        services.AddOptions<UserGrainOptions>();
        services.AddOptions<ConversationOptions>();
        services.AddImOrleansMessagingOptions();
        return builder;
    }
}
