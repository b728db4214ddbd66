namespace ImOrleans.Grains;

/// <summary>A page of a conversation's messages, ascending by seq.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.HistoryPage")]
public sealed record HistoryPage
{
    [Id(0)] public IReadOnlyList<StoredMessage> Messages { get; init; } = [];
    [Id(1)] public long MaxSeq { get; init; }
    [Id(2)] public long InitSeq { get; init; }
}
