namespace ImOrleans.Protocol;

/// <summary>Codes carried by <c>ErrorBody.code</c>. The numbers are fixed by docs/protocol.md.</summary>
public enum ErrorCode : uint
{
    /// <summary>Not an error; never sent.</summary>
    None = 0,
    /// <summary>The header was malformed (magic, version, reserved bits); the server closes the connection.</summary>
    BadFrame = 1000,
    /// <summary>The body length exceeds the server's maximum frame size; the server closes the connection.</summary>
    FrameTooLarge = 1001,
    /// <summary>The command code is not one the server knows.</summary>
    UnknownCommand = 1002,
    /// <summary>The body could not be decoded as the command's protobuf message.</summary>
    MalformedBody = 1003,
    /// <summary>A field is missing or out of range.</summary>
    InvalidArgument = 1004,
    /// <summary>A request other than heartbeat or login came before the connection logged in.</summary>
    NotLoggedIn = 1100,
    /// <summary>The token was missing, malformed, badly signed, expired or for another user.</summary>
    InvalidToken = 1101,
    /// <summary>A second login on a connection that is already logged in.</summary>
    AlreadyLoggedIn = 1102,
    /// <summary>The user is not a member of the conversation.</summary>
    NotMember = 1200,
    /// <summary>The conversation does not exist (or the id is not well formed).</summary>
    ConversationNotFound = 1201,
    /// <summary>No group has this id (or the id is not well formed).</summary>
    GroupNotFound = 1202,
    /// <summary>The user's role does not allow the request (e.g. a plain member removing others).</summary>
    PermissionDenied = 1203,
    /// <summary>The sender tried to revoke a message older than the revoke window.</summary>
    RevokeWindowExpired = 1204,
    /// <summary>No message with this seq exists that the user may see.</summary>
    MessageNotFound = 1205,
    /// <summary>A group with the requested id exists already, created by someone else.</summary>
    AlreadyExists = 1206,
    /// <summary>The group has reached its member limit.</summary>
    GroupFull = 1207,
    /// <summary>The server could not complete the request (for example the store is unavailable); retry it.</summary>
    Unavailable = 1500,
    /// <summary>An unexpected server failure.</summary>
    Internal = 1501,
}
