namespace ImOrleans.Grains;

/// <summary>The server ack of a send: the message is durably stored under this seq.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.SendResult")]
public sealed record SendResult
{
    [Id(0)] public long Seq { get; init; }
    [Id(1)] public long ServerTimeMs { get; init; }
    /// <summary>True when an earlier send with the same client message id had stored it.</summary>
    [Id(2)] public bool Duplicate { get; init; }
}
