namespace ImOrleans.Grains.Hosting;

/// <summary>Settings of the conversation grain.</summary>
public sealed class ConversationOptions
{
    /// <summary>Largest message content, in UTF-8 bytes. Default 16 KiB. A larger send is rejected with InvalidArgument.</summary>
    public int MaxContentBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// How many recent sends a conversation remembers by client message id. Default 1024. A resend
    /// older than that is still deduplicated, through a lookup in the message store.
    /// </summary>
    public int RecentSendCapacity { get; set; } = 1024;
}
