using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains;

[GenerateSerializer, Immutable, Alias("ImOrleans.GroupMemberInfo")]
public sealed record GroupMemberInfo
{
    [Id(0)] public string UserId { get; init; } = "";
    [Id(1)] public GroupRole Role { get; init; }
    /// <summary>The first seq of the group conversation the member may see.</summary>
    [Id(2)] public long InitSeq { get; init; }
    [Id(3)] public long JoinedMs { get; init; }
}
