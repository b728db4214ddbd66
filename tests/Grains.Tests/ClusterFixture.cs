using ImOrleans.Grains.Hosting;
using ImOrleans.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace ImOrleans.Grains.Tests;

/// <summary>One in-process silo with the real SQLite storage in a fresh temp folder, shared by the grain tests.</summary>
public class ClusterFixture : IAsyncLifetime
{
    protected virtual short SiloCount => 1;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "imorleans-grains-tests-" + Guid.NewGuid().ToString("N"));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public IUserGrain User(string userId) => Client.GetGrain<IUserGrain>(GrainKeys.User(userId));

    public IConversationGrain Conversation(string conversationId) => Client.GetGrain<IConversationGrain>(GrainKeys.Conversation(conversationId));

    /// <summary>The silo's message store, to check what is stored.</summary>
    internal IMessageStore Store => ((InProcessSiloHandle)Cluster.Silos[0]).SiloHost.Services.GetRequiredService<IMessageStore>();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(SiloCount);
        // A folder per silo: SQLite's message store has one writer.
        builder.ConfigureSilo((options, silo) => silo.AddImOrleansGrains(new StorageOptions { DataDirectory = Path.Combine(DataDirectory, options.SiloName) }));
        Cluster = builder.Build();
        await Cluster.DeployAsync().WaitAsync(TimeSpan.FromMinutes(1));
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await Cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(DataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

/// <summary>Two in-process silos, for what happens when one of them stops.</summary>
public sealed class TwoSiloClusterFixture : ClusterFixture
{
    protected override short SiloCount => 2;
}
