namespace ImOrleans.Grains.Hosting;

/// <summary>Message rules shared by every kind of conversation, bound from the configuration section <c>Messaging</c>.</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary>
    /// How long after sending a sender may revoke their own message. Default 2 minutes. Later, their revoke is refused
    /// with RevokeWindowExpired; a group's owner and admins may revoke any message at any time. Zero: senders cannot
    /// revoke at all.
    /// </summary>
    public TimeSpan RevokeWindow { get; set; } = TimeSpan.FromMinutes(2);

    internal IEnumerable<string> Validate()
    {
        if (RevokeWindow < TimeSpan.Zero)
        {
            yield return $"{SectionName}:RevokeWindow must not be negative.";
        }
    }
}
