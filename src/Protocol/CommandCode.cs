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
    // 0x0100 notice, 0x0102 group by id and 0x0103 notice ack are reserved for group chat and
    // business notices; until they exist the edge answers them with UnknownCommand.
    SendMessage = 0x0201,
    /// <summary>Server push: a new (or changed) message of a conversation the user is in.</summary>
    MessagePush = 0x0202,
    DeliveryAck = 0x0203,
    MarkRead = 0x0204,
    /// <summary>Server push: a member's delivered/read position changed.</summary>
    ReceiptPush = 0x0205,
    GetConversations = 0x0301,
    PullMessages = 0x0302,
}
