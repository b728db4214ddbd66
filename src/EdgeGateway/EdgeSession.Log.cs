using ImOrleans.Protocol;

namespace ImOrleans.EdgeGateway;

internal sealed partial class EdgeSession
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Connection {ConnectionId} logged in as {UserId} (device {DeviceId}, session {SessionId})")]
        public static partial void LoggedIn(ILogger logger, string connectionId, string userId, string deviceId, string sessionId);

        [LoggerMessage(2, LogLevel.Information, "Connection {ConnectionId} login rejected: {Code} {Reason}")]
        public static partial void LoginRejected(ILogger logger, string connectionId, ErrorCode code, string reason);

        [LoggerMessage(3, LogLevel.Information, "Connection {ConnectionId} ({UserId}) logged out")]
        public static partial void LoggedOut(ILogger logger, string connectionId, string userId);

        [LoggerMessage(4, LogLevel.Warning, "Connection {ConnectionId} sent an untrustworthy stream: {Code} {Reason}; closing")]
        public static partial void StreamRejected(ILogger logger, string connectionId, ErrorCode code, string reason);

        [LoggerMessage(5, LogLevel.Debug, "Connection {ConnectionId} lost: {Reason}")]
        public static partial void ConnectionLost(ILogger logger, string connectionId, string reason);

        [LoggerMessage(6, LogLevel.Warning, "Connection {ConnectionId} ({UserId}) is a slow consumer: {Capacity} frames queued; closing")]
        public static partial void SlowConsumer(ILogger logger, string connectionId, string userId, int capacity);

        [LoggerMessage(7, LogLevel.Information, "Connection {ConnectionId} ({UserId}) kicked: {Reason} {Message}")]
        public static partial void Kicked(ILogger logger, string connectionId, string userId, KickReason reason, string message);

        [LoggerMessage(8, LogLevel.Information, "Connection {ConnectionId} did not log in within the handshake timeout; closing")]
        public static partial void HandshakeTimedOut(ILogger logger, string connectionId);

        [LoggerMessage(9, LogLevel.Information, "Connection {ConnectionId} ({UserId}) idle past the timeout; closing")]
        public static partial void IdleTimedOut(ILogger logger, string connectionId, string userId);

        [LoggerMessage(10, LogLevel.Warning, "Connection {ConnectionId} ({UserId}) could not renew its session registration")]
        public static partial void RenewFailed(ILogger logger, Exception exception, string connectionId, string userId);

        [LoggerMessage(11, LogLevel.Warning, "Connection {ConnectionId} ({UserId}) could not unregister its session")]
        public static partial void UnregisterFailed(ILogger logger, Exception exception, string connectionId, string userId);

        [LoggerMessage(12, LogLevel.Error, "Connection {ConnectionId} ({UserId}) request {Command} failed")]
        public static partial void RequestFailed(ILogger logger, Exception exception, string connectionId, string userId, CommandCode command);

        [LoggerMessage(13, LogLevel.Information, "Connection {ConnectionId} ({UserId}) registered its session again (the user grain had lost it); the client was told to resync")]
        public static partial void RegisteredAgain(ILogger logger, string connectionId, string userId);

        [LoggerMessage(14, LogLevel.Debug, "Connection {ConnectionId} request {Command} abandoned: {Reason}")]
        public static partial void RequestAbandoned(ILogger logger, string connectionId, CommandCode command, string reason);
    }
}
