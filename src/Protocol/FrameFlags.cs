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
}
