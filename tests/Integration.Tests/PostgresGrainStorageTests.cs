using ImOrleans.Grains;
using ImOrleans.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Storage;
using Orleans.TestingHost;

namespace ImOrleans.Integration.Tests;

/// <summary>
/// Grain state on PostgreSQL through Orleans' ADO.NET provider (invariant Npgsql) and our OrleansQuery rows:
/// the provider's optimistic-concurrency contract, and the grain-key trap (a hex-looking key is stored as a number).
/// </summary>
public sealed class PostgresGrainStorageTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [IntegrationFact]
    public async Task The_queries_follow_optimistic_concurrency_and_reads_return_the_latest_payload()
    {
        var key = "user:" + Guid.NewGuid().ToString("N")[..8];
        Assert.Empty(await ReadAsync(key));
        Assert.Equal([1], await WriteAsync(key, null, [1]));      // insert
        Assert.Empty(await WriteAsync(key, null, [9]));           // a second activation's insert loses
        Assert.Equal([2], await WriteAsync(key, 1, [2]));         // update from the version read
        Assert.Equal([1], await WriteAsync(key, 1, [9]));         // stale version: conflict
        Assert.Equal([5], await WriteAsync(key + "x", 5, [9]));   // a version for a row that is not there: conflict
        Assert.Equal([1], await WriteAsync(key.ToUpperInvariant(), null, [3])); // keys are case-sensitive

        Assert.Equal([("02", 2L)], await ReadAsync(key));
        Assert.Equal([("03", 1L)], await ReadAsync(key.ToUpperInvariant()));

        Assert.Equal([3], await RunAsync("ClearStorageKey", key, 2, null));
        Assert.Equal([2], await RunAsync("ClearStorageKey", key, 2, null)); // stale clear: conflict
        Assert.Equal([((string?)null, 3L)], await ReadAsync(key));
    }

    [IntegrationFact]
    public async Task State_written_through_the_provider_is_read_back_and_prefixed_keys_differing_in_case_stay_apart()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddImOrleansGrains(new StorageOptions
        {
            Provider = StorageProviders.PostgreSql,
            ConnectionString = database.ConnectionString,
        }));
        await using var cluster = builder.Build();
        await cluster.DeployAsync().WithDeadline(Deadlines.Long);
        try
        {
            var storage = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>("im");

            // "c1" parses as hex: without the "user:" prefix, "c1" and "C1" would be one row (see GrainKeys).
            var lower = GrainId.Create("user", GrainKeys.User("c1"));
            var upper = GrainId.Create("user", GrainKeys.User("C1"));
            var lowerState = new GrainState<ProbeState>(new ProbeState { Text = "lower" });
            var upperState = new GrainState<ProbeState>(new ProbeState { Text = "upper" });
            await storage.WriteStateAsync("user", lower, lowerState).WithDeadline();
            await storage.WriteStateAsync("user", upper, upperState).WithDeadline();
            lowerState.State = new ProbeState { Text = "lower, second write" };
            await storage.WriteStateAsync("user", lower, lowerState).WithDeadline();

            var readLower = new GrainState<ProbeState>();
            var readUpper = new GrainState<ProbeState>();
            await storage.ReadStateAsync("user", lower, readLower).WithDeadline();
            await storage.ReadStateAsync("user", upper, readUpper).WithDeadline();
            Assert.Equal(("lower, second write", true), (readLower.State?.Text, readLower.RecordExists));
            Assert.Equal("upper", readUpper.State?.Text);

            // A writer holding an old version (a second activation) is refused, not silently overwriting.
            var stale = new GrainState<ProbeState>(new ProbeState { Text = "stale" }) { ETag = upperState.ETag };
            await storage.WriteStateAsync("user", upper, new GrainState<ProbeState>(new ProbeState { Text = "newer" }) { ETag = upperState.ETag }).WithDeadline();
            await Assert.ThrowsAnyAsync<InconsistentStateException>(() => storage.WriteStateAsync("user", upper, stale).WithDeadline());
        }
        finally
        {
            await cluster.StopAllSilosAsync().WithDeadline(Deadlines.Long);
        }
    }

    private Task<List<long?>> WriteAsync(string key, int? version, byte[] payload) => RunAsync("WriteToStorageKey", key, version, payload);

    private async Task<List<(string? PayloadHex, long Version)>> ReadAsync(string key)
    {
        await using var command = await CommandAsync("ReadFromStorageKey", key, null, null);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string?, long)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.IsDBNull(0) ? null : Convert.ToHexString((byte[])reader.GetValue(0)), reader.GetInt32(1)));
        }

        return rows;
    }

    private async Task<List<long?>> RunAsync(string queryKey, string key, int? version, byte[]? payload)
    {
        await using var command = await CommandAsync(queryKey, key, version, payload);
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<long?>();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.IsDBNull(0) ? null : reader.GetInt32(0));
        }

        return versions;
    }

    // Parameters as loosely typed as a provider may send them: values without types, NULLs as DBNull.
    private async Task<NpgsqlCommand> CommandAsync(string queryKey, string key, int? version, byte[]? payload)
    {
        await using var lookup = database.DataSource.CreateCommand("SELECT querytext FROM orleansquery WHERE querykey = @k");
        lookup.Parameters.AddWithValue("k", queryKey);
        var command = database.DataSource.CreateCommand((string)(await lookup.ExecuteScalarAsync())!);
        foreach (var (name, value) in new (string, object?)[]
        {
            ("GrainIdHash", 42), ("GrainIdN0", 0L), ("GrainIdN1", 0L), ("GrainTypeHash", 7),
            ("GrainTypeString", "user"), ("GrainIdExtensionString", key), ("ServiceId", "svc"),
            ("GrainStateVersion", version), ("PayloadBinary", payload),
        })
        {
            command.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
        }

        return command;
    }
}

[GenerateSerializer, Alias("ImOrleans.Integration.Tests.ProbeState")]
public sealed class ProbeState
{
    [Id(0)] public string Text { get; set; } = "";
}
