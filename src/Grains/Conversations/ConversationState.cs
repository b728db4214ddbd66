namespace ImOrleans.Grains;

[GenerateSerializer, Alias("ImOrleans.ConversationState")]
internal sealed class ConversationState
{
    /// <summary>Whether every member's user grain has durably recorded the conversation.</summary>
    [Id(0)] public bool Created { get; set; }
}
