using ImOrleans.Protocol;

namespace ImOrleans.Grains;

/// <summary>Finds the grain that owns a conversation, whatever its kind.</summary>
public static class MessageLogs
{
    /// <summary>The group grain for <c>g:</c> ids, the conversation grain for every other id (which rejects ids it does not know).</summary>
    public static IMessageLogGrain MessageLog(this IGrainFactory grains, string conversationId) =>
        conversationId.StartsWith(Identifiers.GroupPrefix, StringComparison.Ordinal)
            ? grains.GetGrain<IGroupGrain>(conversationId)
            : grains.GetGrain<IConversationGrain>(GrainKeys.Conversation(conversationId));
}
