namespace ImOrleans.Protocol;

/// <summary>Why the server closed a session; carried by <c>KickNotice.reason</c>.</summary>
public enum KickReason : uint
{
    /// <summary>A newer login with the same user and device id took over.</summary>
    ReplacedByNewLogin = 1,
    /// <summary>An administrator or the system removed the session.</summary>
    KickedByAdmin = 2,
    /// <summary>The client sent a frame that made the stream untrustworthy.</summary>
    ProtocolViolation = 3,
    /// <summary>The client did not read its pushes fast enough and the outbound queue filled up.</summary>
    SlowConsumer = 4,
    /// <summary>The edge node is shutting down; reconnect through navigation.</summary>
    ServerShutdown = 5,
}
