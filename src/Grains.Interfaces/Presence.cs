namespace ImOrleans.Grains;

/// <summary>Whether a user has a live session, and since when (R23).</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.Presence")]
public sealed record Presence
{
    [Id(0)] public bool Online { get; init; }
    /// <summary>Unix ms of the moment the user came online (when online) or went offline (0 if never seen).</summary>
    [Id(1)] public long SinceMs { get; init; }
    [Id(2)] public int Sessions { get; init; }
}
