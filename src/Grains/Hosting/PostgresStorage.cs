using System.Net.Sockets;
using ImOrleans.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace ImOrleans.Grains.Hosting;

/// <summary>Grain state, messages and receipts in one PostgreSQL database shared by every silo of the cluster.</summary>
internal static class PostgresStorage
{
    // The ADO.NET provider's invariant for Npgsql.
    private const string AdoNetInvariant = "Npgsql";

    /// <summary>How long a starting silo waits for the database (it may start before PostgreSQL does).</summary>
    private static readonly TimeSpan StartupWait = TimeSpan.FromSeconds(30);

    public static void Add(ISiloBuilder builder, StorageOptions storage)
    {
        var dataSource = CreateDataSource(storage.ConnectionString);
        ApplySchema(dataSource, StartupWait);

        builder.AddAdoNetGrainStorage(StorageNames.Grains, options => options.Configure<Serializer>((o, serializer) =>
        {
            o.Invariant = AdoNetInvariant;
            o.DataSource = dataSource;
            // Same payload format as on SQLite: Orleans' binary serializer, by [Alias] and [Id].
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));

        builder.Services.AddSingleton(sp => new MessageStore(dataSource, sp.GetRequiredService<ILogger<MessageStore>>()));
    }

    /// <summary>Builds the data source, turning a malformed connection string into a readable error.</summary>
    /// <exception cref="InvalidOperationException">The connection string is missing or malformed.</exception>
    public static NpgsqlDataSource CreateDataSource(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "Storage:ConnectionString is required with Storage:Provider PostgreSql, e.g. \"Host=127.0.0.1;Port=5432;Username=postgres;Password=...;Database=imorleans\".");
        }

        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"Storage:ConnectionString is not a valid PostgreSQL connection string: {ex.Message}", ex);
        }

        if (string.IsNullOrEmpty(parsed.Host))
        {
            throw new InvalidOperationException("Storage:ConnectionString has no Host.");
        }

        return NpgsqlDataSource.Create(parsed);
    }

    /// <summary>Creates the schema, retrying while the database cannot be reached, up to <paramref name="wait"/>.</summary>
    /// <exception cref="InvalidOperationException">The database stayed unreachable or refused the schema.</exception>
    public static void ApplySchema(NpgsqlDataSource dataSource, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        var where = Describe(dataSource.ConnectionString);
        while (true)
        {
            try
            {
                // Runs while the host is being built, before any request thread exists: blocking is fine here.
                Task.Run(() => PostgresSchema.ApplyAsync(dataSource)).GetAwaiter().GetResult();
                return;
            }
            catch (Exception ex) when (IsUnreachable(ex) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(TimeSpan.FromSeconds(1));
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"Storage: cannot prepare the PostgreSQL database at {where}: {ex.Message}", ex);
            }
        }
    }

    private static bool IsUnreachable(Exception ex) =>
        ex is NpgsqlException { IsTransient: true } or SocketException or TimeoutException
        || ex is PostgresException { SqlState: "57P03" }; // the database system is starting up

    private static string Describe(string connectionString)
    {
        var parsed = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{parsed.Host}:{parsed.Port}/{parsed.Database} (user {parsed.Username})";
    }
}
