namespace ImOrleans.Grains;

/// <summary>How far a member has received and read a conversation.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.Receipt")]
public sealed record Receipt
{
    [Id(0)] public string ConversationId { get; init; } = "";
    [Id(1)] public string UserId { get; init; } = "";
    [Id(2)] public long DeliveredSeq { get; init; }
    [Id(3)] public long ReadSeq { get; init; }
}
