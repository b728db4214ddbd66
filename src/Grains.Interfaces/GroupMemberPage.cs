namespace ImOrleans.Grains;

[GenerateSerializer, Immutable, Alias("ImOrleans.GroupMemberPage")]
public sealed record GroupMemberPage
{
    [Id(0)] public GroupSnapshot Group { get; init; } = new();
    [Id(1)] public IReadOnlyList<GroupMemberInfo> Members { get; init; } = [];
    [Id(2)] public int Total { get; init; }
}
