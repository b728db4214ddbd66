using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains;

/// <summary>A group's durable state: settings and members. Messages live in the message store, not here.</summary>
[GenerateSerializer, Alias("ImOrleans.GroupState")]
internal sealed class GroupState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string CreatorId { get; set; } = "";
    [Id(2)] public string OwnerId { get; set; } = "";
    [Id(3)] public string Name { get; set; } = "";
    [Id(4)] public string Avatar { get; set; } = "";
    [Id(5)] public GroupJoinPolicy JoinPolicy { get; set; }
    [Id(6)] public long CreatedMs { get; set; }
    [Id(7)] public bool Dissolved { get; set; }
    [Id(8)] public Dictionary<string, GroupMemberRecord> Members { get; set; } = [];

    /// <summary>People who left or were removed: they keep reading what they could see while members.</summary>
    [Id(9)] public Dictionary<string, FormerMemberRecord> Former { get; set; } = [];
}

[GenerateSerializer, Alias("ImOrleans.GroupMemberRecord")]
internal sealed class GroupMemberRecord
{
    [Id(0)] public GroupRole Role { get; set; }
    /// <summary>The first seq the member may see: the seq of the event that added them.</summary>
    [Id(1)] public long InitSeq { get; set; }
    [Id(2)] public long JoinedMs { get; set; }
}

[GenerateSerializer, Alias("ImOrleans.FormerMemberRecord")]
internal sealed class FormerMemberRecord
{
    [Id(0)] public long InitSeq { get; set; }
    /// <summary>The last seq they may see: the event that recorded their leaving.</summary>
    [Id(1)] public long LastSeq { get; set; }
}
