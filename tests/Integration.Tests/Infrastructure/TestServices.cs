using Npgsql;

namespace ImOrleans.Integration.Tests;

/// <summary>
/// The real redis-server and PostgreSQL these tests run against, given by scripts/test.sh (which installs and starts
/// throwaway instances on loopback) through environment variables.
/// </summary>
public static class TestServices
{
    /// <summary>StackExchange.Redis configuration, e.g. "127.0.0.1:6390".</summary>
    public const string RedisVariable = "IMORLEANS_TEST_REDIS";

    /// <summary>Npgsql connection string of a superuser; each test class creates (and drops) a database of its own.</summary>
    public const string PostgresVariable = "IMORLEANS_TEST_POSTGRES";

    public static string? Redis => Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } value ? value : null;

    public static string? Postgres => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null;

    /// <summary>CI must never skip these tests silently; a developer's plain <c>dotnet test</c> may.</summary>
    public static bool InCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && !ci.Equals("false", StringComparison.OrdinalIgnoreCase);

    public static string MissingReason =>
        $"{RedisVariable} and {PostgresVariable} are not set; run scripts/test.sh, which starts redis-server and PostgreSQL on loopback and sets them";

    public static string RequireRedis() => Redis ?? throw new InvalidOperationException(MissingReason);

    public static string RequirePostgres() => Postgres ?? throw new InvalidOperationException(MissingReason);

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var admin = new NpgsqlConnectionStringBuilder(RequirePostgres()) { Pooling = false };
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing whatever still uses it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        var admin = new NpgsqlConnectionStringBuilder(RequirePostgres()) { Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
