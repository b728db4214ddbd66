using ImOrleans.Grains.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ImOrleans.Integration.Tests;

/// <summary>
/// The message store runs the same SQL on SQLite and PostgreSQL, so both schemas must have the same tables and
/// columns: a column added to SqliteSchema and not to PostgresSchema fails here, not in production.
/// </summary>
public sealed class SchemaParityTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [IntegrationFact]
    public async Task PostgreSQL_has_every_table_and_column_SQLite_has()
    {
        var postgres = await PostgresColumnsAsync();
        var sqlite = SqliteColumns();

        Assert.Equal(sqlite.Keys.Order(), postgres.Keys.Order());
        Assert.All(sqlite, table => Assert.Equal(table.Value.Order(), postgres[table.Key].Order()));
    }

    private async Task<Dictionary<string, List<string>>> PostgresColumnsAsync()
    {
        await using var command = database.DataSource.CreateCommand(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'");
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new Dictionary<string, List<string>>();
        while (await reader.ReadAsync())
        {
            var table = reader.GetString(0).ToLowerInvariant();
            (tables.TryGetValue(table, out var columns) ? columns : tables[table] = []).Add(reader.GetString(1).ToLowerInvariant());
        }

        return tables;
    }

    private static Dictionary<string, List<string>> SqliteColumns()
    {
        var folder = Directory.CreateTempSubdirectory("imorleans-parity-");
        try
        {
            var dataSource = new SqliteDataSource(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder.FullName, "p.db"), Pooling = false }.ToString());
            SqliteSchema.Apply(dataSource);
            using var connection = dataSource.OpenConnection();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'";
            using var reader = command.ExecuteReader();
            var tables = new Dictionary<string, List<string>>();
            while (reader.Read())
            {
                var table = reader.GetString(0).ToLowerInvariant();
                (tables.TryGetValue(table, out var columns) ? columns : tables[table] = []).Add(reader.GetString(1).ToLowerInvariant());
            }

            return tables;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
