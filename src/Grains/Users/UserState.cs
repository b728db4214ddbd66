namespace ImOrleans.Grains;

[GenerateSerializer, Alias("ImOrleans.UserState")]
internal sealed class UserState
{
    [Id(0)] public Dictionary<string, ConversationRecord> Conversations { get; set; } = [];

    /// <summary>Unix ms when the user's last session ended (0 if never seen); flushed lazily.</summary>
    [Id(1)] public long LastSeenMs { get; set; }
}
