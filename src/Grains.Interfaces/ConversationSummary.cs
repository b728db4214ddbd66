using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains;

/// <summary>One row of a user's conversation list (R20).</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.ConversationSummary")]
public sealed record ConversationSummary
{
    [Id(0)] public string ConversationId { get; init; } = "";
    [Id(1)] public ConversationType Type { get; init; }
    [Id(2)] public string Name { get; init; } = "";
    [Id(3)] public string Avatar { get; init; } = "";
    [Id(4)] public string PeerId { get; init; } = "";
    [Id(5)] public StoredMessage? LastMessage { get; init; }
    [Id(6)] public long InitSeq { get; init; }
    [Id(7)] public long MaxSeq { get; init; }
    [Id(8)] public long ReadSeq { get; init; }
    [Id(9)] public bool Muted { get; init; }
    [Id(10)] public bool Quit { get; init; }
    [Id(11)] public string Extra { get; init; } = "";

    /// <summary>R21: unread = maxSeq - readSeq, never negative.</summary>
    public long Unread => Math.Max(0, MaxSeq - Math.Max(ReadSeq, InitSeq - 1));
}
