using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains;

/// <summary>Settings to change; null leaves a setting as it is.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.GroupUpdate")]
public sealed record GroupUpdate
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string? Avatar { get; init; }
    [Id(2)] public GroupJoinPolicy? JoinPolicy { get; init; }
}
