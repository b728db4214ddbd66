namespace ImOrleans.Grains;

/// <summary>The outcome of a group change: the group after it, and the GROUP_EVENT message that records it.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.GroupChange")]
public sealed record GroupChange
{
    [Id(0)] public GroupSnapshot Group { get; init; } = new();
    /// <summary>The seq of the event message; 0 when nothing changed (e.g. adding users who are members already).</summary>
    [Id(1)] public long EventSeq { get; init; }
    /// <summary>The users the change applied to.</summary>
    [Id(2)] public IReadOnlyList<string> UserIds { get; init; } = [];
}
