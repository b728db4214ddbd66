namespace ImOrleans.Protocol;

/// <summary>Bits of the header's flags byte.</summary>
[Flags]
public enum FrameFlags : byte
{
    None = 0,
    /// <summary>The frame answers the request with the same request id.</summary>
    Response = 0x01,
    /// <summary>The body is an <c>ErrorBody</c> instead of the command's normal response.</summary>
    Error = 0x02,
    /// <summary>Server-initiated frame (request id 0); the client does not answer it.</summary>
    Push = 0x04,
    /// <summary>
    /// Set by a client on a DeliveryAck or NoticeAck: answer it only if it fails. Acks are cumulative and sent about
    /// once per message received, so their empty answers were a quarter of the frames a 1:1 message cost.
    /// </summary>
    NoReply = 0x08,
}
