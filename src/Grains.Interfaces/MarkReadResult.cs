namespace ImOrleans.Grains;

[GenerateSerializer, Immutable, Alias("ImOrleans.MarkReadResult")]
public sealed record MarkReadResult
{
    [Id(0)] public long ReadSeq { get; init; }
    [Id(1)] public long Unread { get; init; }
}
