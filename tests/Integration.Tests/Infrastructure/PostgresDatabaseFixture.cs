using ImOrleans.Grains.Storage;
using Npgsql;

namespace ImOrleans.Integration.Tests;

/// <summary>A fresh PostgreSQL database with the ImOrleans schema for one test class; dropped afterwards.</summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    private string? _connectionString;

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException(TestServices.MissingReason);

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (TestServices.Postgres is null)
        {
            // Skipped with the reason on a developer's machine; under CI every test of the class fails with it.
            if (TestServices.InCi)
            {
                throw new InvalidOperationException(TestServices.MissingReason);
            }

            return;
        }

        _connectionString = await TestServices.CreateDatabaseAsync("it_store");
        DataSource = NpgsqlDataSource.Create(_connectionString);
        await PostgresSchema.ApplyAsync(DataSource).WaitAsync(Deadlines.Short);
    }

    public async Task DisposeAsync()
    {
        if (_connectionString is not null)
        {
            await DataSource.DisposeAsync();
            await TestServices.DropDatabaseAsync(_connectionString);
        }
    }
}
