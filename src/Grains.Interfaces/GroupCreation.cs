using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains;

[GenerateSerializer, Immutable, Alias("ImOrleans.GroupCreation")]
public sealed record GroupCreation
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string Avatar { get; init; } = "";
    /// <summary>The first members besides the owner.</summary>
    [Id(2)] public IReadOnlyList<string> MemberIds { get; init; } = [];
    [Id(3)] public GroupJoinPolicy JoinPolicy { get; init; }
}
