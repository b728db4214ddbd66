namespace ImOrleans.Grains;

/// <summary>A page of the conversation list, newest last-message first.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.ConversationPage")]
public sealed record ConversationPage
{
    [Id(0)] public IReadOnlyList<ConversationSummary> Items { get; init; } = [];
    [Id(1)] public int Total { get; init; }
}
