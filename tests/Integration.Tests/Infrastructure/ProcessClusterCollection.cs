namespace ImOrleans.Integration.Tests;

/// <summary>
/// Tests that start silo and edge processes run one at a time: two clusters of four processes each on two cores
/// would starve each other and turn failover timings into noise.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ProcessClusterCollection
{
    public const string Name = "process cluster";
}
