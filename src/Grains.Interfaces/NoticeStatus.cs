namespace ImOrleans.Grains;

/// <summary>Whether a notice exists and whether its user has received (acked) and read it.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.NoticeStatus")]
public sealed record NoticeStatus
{
    [Id(0)] public bool Exists { get; init; }
    [Id(1)] public bool Delivered { get; init; }
    [Id(2)] public bool Read { get; init; }
    [Id(3)] public long DeliveredSeq { get; init; }
    [Id(4)] public long ReadSeq { get; init; }
}
