using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains;

/// <summary>A group's info as one user sees it.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.GroupSnapshot")]
public sealed record GroupSnapshot
{
    [Id(0)] public string GroupId { get; init; } = "";
    [Id(1)] public string ConversationId { get; init; } = "";
    [Id(2)] public string Name { get; init; } = "";
    [Id(3)] public string Avatar { get; init; } = "";
    [Id(4)] public string OwnerId { get; init; } = "";
    [Id(5)] public GroupJoinPolicy JoinPolicy { get; init; }
    [Id(6)] public int MemberCount { get; init; }
    [Id(7)] public long CreatedMs { get; init; }
    [Id(8)] public bool Dissolved { get; init; }
    /// <summary>The asking user's role; Unspecified when not a member.</summary>
    [Id(9)] public GroupRole MyRole { get; init; }
}
