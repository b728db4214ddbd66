namespace ImOrleans.Grains;

/// <summary>A user's settings of one conversation; null leaves a setting as it is.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.ConversationUpdate")]
public sealed record ConversationUpdate
{
    /// <summary>Mute (isShield): no offline-push fallback for this conversation; sync is unaffected.</summary>
    [Id(0)] public bool? Muted { get; init; }
    [Id(1)] public string? Extra { get; init; }
}
