namespace ImOrleans.Protocol;

/// <summary>Command codes of the frame header. The numbers are fixed by docs/protocol.md.</summary>
public enum CommandCode : ushort
{
    /// <summary>Only used on connection-level error frames that answer no particular request.</summary>
    None = 0x0000,
    Heartbeat = 0x0001,
    Login = 0x0002,
    Logout = 0x0003,
    /// <summary>Server push: the session is being closed by the server, with a reason.</summary>
    Kick = 0x0004,

    /// <summary>Server push: a business notice of the user's system conversation (R11).</summary>
    Notice = 0x0100,
    // 0x0101 is not used.
    /// <summary>Group info and a page of its members, by group id.</summary>
    GetGroup = 0x0102,
    /// <summary>The client has received the user's notices up to a seq (R11).</summary>
    NoticeAck = 0x0103,
    CreateGroup = 0x0104,
    AddGroupMembers = 0x0105,
    RemoveGroupMembers = 0x0106,
    JoinGroup = 0x0107,
    LeaveGroup = 0x0108,
    SetGroupRole = 0x0109,
    TransferGroupOwner = 0x010A,
    DissolveGroup = 0x010B,
    UpdateGroup = 0x010C,

    SendMessage = 0x0201,
    /// <summary>Server push: a new (or changed) message of a conversation the user is in.</summary>
    MessagePush = 0x0202,
    DeliveryAck = 0x0203,
    MarkRead = 0x0204,
    /// <summary>Server push: a member's delivered/read position changed.</summary>
    ReceiptPush = 0x0205,
    RevokeMessage = 0x0206,
    DeleteMessages = 0x0207,
    GetReadCount = 0x0208,

    GetConversations = 0x0301,
    PullMessages = 0x0302,
    UpdateConversation = 0x0303,
    /// <summary>
    /// Server push: pushes meant for this session may have been lost (its registration with the user grain was made
    /// again); the client syncs now.
    /// </summary>
    Resync = 0x0304,
}
