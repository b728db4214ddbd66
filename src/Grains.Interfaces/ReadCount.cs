namespace ImOrleans.Grains;

/// <summary>How many members (other than the sender) have read a message, and how many could but have not.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.ReadCount")]
public sealed record ReadCount
{
    [Id(0)] public int Read { get; init; }
    [Id(1)] public int Unread { get; init; }
}
