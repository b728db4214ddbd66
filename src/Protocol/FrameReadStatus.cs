namespace ImOrleans.Protocol;

/// <summary>What <see cref="FrameReader.TryRead"/> found at the start of the buffer.</summary>
public enum FrameReadStatus
{
    /// <summary>A whole frame was read and consumed.</summary>
    Frame,
    /// <summary>More bytes are needed; nothing was consumed.</summary>
    Incomplete,
    /// <summary>The header is invalid; the stream can no longer be trusted and must be closed.</summary>
    Invalid,
}
