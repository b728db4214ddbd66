namespace ImOrleans.Grains;

/// <summary>
/// Grain keys. Every key carries a non-hex prefix: the ADO.NET storage provider would read a key
/// such as "c1" as the number 0xC1 and store "c1" and "C1" in one row.
/// </summary>
public static class GrainKeys
{
    public const string UserPrefix = "user:";

    public static string User(string userId) => UserPrefix + userId;

    public static string UserIdOf(string userGrainKey) => userGrainKey[UserPrefix.Length..];

    /// <summary>Conversation ids already start with a non-hex prefix ("s:", "g:", "n:"), so they are their own keys.</summary>
    public static string Conversation(string conversationId) => conversationId;

    /// <summary>A group grain is keyed by the group's conversation id, "g:&lt;group id&gt;".</summary>
    public static string Group(string groupId) => Protocol.Identifiers.GroupPrefix + groupId;
}
