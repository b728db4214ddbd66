namespace ImOrleans.Grains;

/// <summary>What a user grain learns from a group when the user comes online or the group changes.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.GroupHead")]
public sealed record GroupHead
{
    [Id(0)] public string ConversationId { get; init; } = "";
    /// <summary>False when the user is not (or no longer) a member.</summary>
    [Id(1)] public bool IsMember { get; init; }
    /// <summary>For a former member: the last seq they may see (0 if they never could see any).</summary>
    [Id(2)] public long LastVisibleSeq { get; init; }
    /// <summary>The newest message the user may see, if any.</summary>
    [Id(3)] public StoredMessage? LastMessage { get; init; }
    [Id(4)] public string Name { get; init; } = "";
    [Id(5)] public string Avatar { get; init; } = "";
}
