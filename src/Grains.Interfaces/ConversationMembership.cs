using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains;

/// <summary>Tells a user grain it is a member of a conversation, from <see cref="InitSeq"/> on.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.ConversationMembership")]
public sealed record ConversationMembership
{
    [Id(0)] public string ConversationId { get; init; } = "";
    [Id(1)] public ConversationType Type { get; init; }
    /// <summary>The other user of a single conversation; empty otherwise.</summary>
    [Id(2)] public string PeerId { get; init; } = "";
    [Id(3)] public string Name { get; init; } = "";
    /// <summary>The first seq this user may see.</summary>
    [Id(4)] public long InitSeq { get; init; }
    [Id(5)] public string Avatar { get; init; } = "";
}
