using Microsoft.Extensions.Logging;

namespace ImOrleans.Grains;

internal sealed partial class GroupGrain
{
    [LoggerMessage(400, LogLevel.Warning, "Group {ConversationId}: the members' user grains could not record the group")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string conversationId);

    [LoggerMessage(401, LogLevel.Warning, "Group {ConversationId}: writing the group's state failed; deactivating to reload it")]
    private static partial void LogStateWriteFailed(ILogger logger, Exception exception, string conversationId);

    [LoggerMessage(402, LogLevel.Warning, "Group {ConversationId}: storing a receipt failed")]
    private static partial void LogReceiptFailed(ILogger logger, Exception exception, string conversationId);
}
