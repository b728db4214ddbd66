using Microsoft.Extensions.Logging;

namespace ImOrleans.Grains;

internal sealed partial class ConversationGrain
{
    [LoggerMessage(100, LogLevel.Warning, "Message store call failed for conversation {ConversationId}")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string conversationId);

    [LoggerMessage(101, LogLevel.Warning, "Conversation {ConversationId} could not be recorded by its members' user grains")]
    private static partial void LogCreateFailed(ILogger logger, Exception exception, string conversationId);

    [LoggerMessage(103, LogLevel.Warning, "Read receipt for conversation {ConversationId} from non-member {UserId} ignored")]
    private static partial void LogForeignRead(ILogger logger, string conversationId, string userId);

    [LoggerMessage(104, LogLevel.Warning, "Delivered ack for conversation {ConversationId} from non-member {UserId} ignored")]
    private static partial void LogForeignDelivered(ILogger logger, string conversationId, string userId);

    [LoggerMessage(105, LogLevel.Warning, "Conversation {ConversationId} could not ask user {UserId}'s grain where the sessions are; pushing through it")]
    private static partial void LogRouteFailed(ILogger logger, Exception exception, string conversationId, string userId);

    [LoggerMessage(106, LogLevel.Error, "A send to conversation {ConversationId} failed unexpectedly; its sender is told to resend")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string conversationId);
}
