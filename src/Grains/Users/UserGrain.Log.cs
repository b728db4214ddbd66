using Microsoft.Extensions.Logging;

namespace ImOrleans.Grains;

internal sealed partial class UserGrain
{
    [LoggerMessage(200, LogLevel.Debug, "User {UserId} connected session {SessionId} (device {DeviceId}, edge {EdgeId})")]
    private static partial void LogSessionConnected(ILogger logger, string userId, string sessionId, string deviceId, string edgeId);

    [LoggerMessage(201, LogLevel.Information, "User {UserId} session {SessionId} replaced by {NewSessionId} on the same device")]
    private static partial void LogSessionReplaced(ILogger logger, string userId, string sessionId, string newSessionId);

    [LoggerMessage(202, LogLevel.Debug, "User {UserId} disconnected session {SessionId}")]
    private static partial void LogSessionDisconnected(ILogger logger, string userId, string sessionId);

    [LoggerMessage(203, LogLevel.Information, "User {UserId} session {SessionId} expired without renewal")]
    private static partial void LogSessionExpired(ILogger logger, string userId, string sessionId);

    [LoggerMessage(204, LogLevel.Warning, "Push to user {UserId} session {SessionId} failed")]
    private static partial void LogPushFailed(ILogger logger, Exception exception, string userId, string sessionId);

    [LoggerMessage(205, LogLevel.Warning, "Writing the state of user {UserId} failed")]
    private static partial void LogStateWriteFailed(ILogger logger, Exception exception, string userId);

    [LoggerMessage(206, LogLevel.Warning, "User {UserId} got a message of conversation {ConversationId}, which is not theirs; ignored")]
    private static partial void LogForeignMessage(ILogger logger, string userId, string conversationId);

    [LoggerMessage(207, LogLevel.Warning, "User {UserId} could not tell group {ConversationId} that it is online")]
    private static partial void LogGroupAnnounceFailed(ILogger logger, Exception exception, string userId, string conversationId);

    [LoggerMessage(208, LogLevel.Warning, "Reading the newest messages of user {UserId}'s conversations from the store failed")]
    private static partial void LogListReadFailed(ILogger logger, Exception exception, string userId);

    [LoggerMessage(209, LogLevel.Warning, "User {UserId} could not tell every conversation watching its sessions about a new edge in time")]
    private static partial void LogWatchersNotTold(ILogger logger, Exception exception, string userId);

    [LoggerMessage(210, LogLevel.Warning, "User {UserId} could not ask conversation {ConversationId} for its latest own send; its list may count it unread for a few seconds")]
    private static partial void LogOwnSendsAskFailed(ILogger logger, Exception exception, string userId, string conversationId);
}
