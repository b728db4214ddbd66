using System.Buffers;
using System.Buffers.Binary;

namespace ImOrleans.Protocol;

/// <summary>
/// Reads frames off a byte stream without copying bodies. The body length is checked against the
/// limit as soon as the header is complete, before any body byte is awaited, so a peer cannot make
/// the reader buffer more than <c>maxBodySize</c> bytes.
/// </summary>
public static class FrameReader
{
    /// <summary>
    /// Tries to read one frame from the start of <paramref name="buffer"/>. On <see cref="FrameReadStatus.Frame"/>
    /// the buffer is advanced past the frame (the consumed position is its new start); otherwise it is left
    /// as it was, and a caller on a PipeReader marks everything examined (<c>AdvanceTo(buffer.Start, buffer.End)</c>)
    /// so the next read waits for more bytes.
    /// </summary>
    public static FrameReadStatus TryRead(ref ReadOnlySequence<byte> buffer, int maxBodySize, out Frame frame, out ErrorCode error)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBodySize);
        frame = default;
        error = default;
        if (buffer.Length < FrameHeader.Size)
        {
            return FrameReadStatus.Incomplete;
        }

        Span<byte> headerBytes = stackalloc byte[FrameHeader.Size];
        buffer.Slice(0, FrameHeader.Size).CopyTo(headerBytes);

        var magic = BinaryPrimitives.ReadUInt16BigEndian(headerBytes);
        var version = headerBytes[2];
        var reserved = BinaryPrimitives.ReadUInt16BigEndian(headerBytes[6..]);
        if (magic != FrameHeader.Magic || version != FrameHeader.CurrentVersion || reserved != 0)
        {
            error = ErrorCode.BadFrame;
            return FrameReadStatus.Invalid;
        }

        var bodyLength = BinaryPrimitives.ReadUInt32BigEndian(headerBytes[12..]);
        if (bodyLength > (uint)maxBodySize)
        {
            error = ErrorCode.FrameTooLarge;
            return FrameReadStatus.Invalid;
        }

        var total = FrameHeader.Size + (long)bodyLength;
        if (buffer.Length < total)
        {
            return FrameReadStatus.Incomplete;
        }

        var header = new FrameHeader(
            (CommandCode)BinaryPrimitives.ReadUInt16BigEndian(headerBytes[4..]),
            (FrameFlags)headerBytes[3],
            BinaryPrimitives.ReadUInt32BigEndian(headerBytes[8..]),
            (int)bodyLength);
        frame = new Frame(header, buffer.Slice(FrameHeader.Size, bodyLength));
        buffer = buffer.Slice(total);
        return FrameReadStatus.Frame;
    }

    /// <summary>
    /// Reads the request id and command from a header that <see cref="TryRead"/> rejected, so the error
    /// frame can still name them. Returns false when fewer than a header's bytes are available.
    /// </summary>
    public static bool TryPeekIds(ReadOnlySequence<byte> buffer, out CommandCode command, out uint requestId)
    {
        command = CommandCode.None;
        requestId = 0;
        if (buffer.Length < FrameHeader.Size)
        {
            return false;
        }

        Span<byte> headerBytes = stackalloc byte[FrameHeader.Size];
        buffer.Slice(0, FrameHeader.Size).CopyTo(headerBytes);
        command = (CommandCode)BinaryPrimitives.ReadUInt16BigEndian(headerBytes[4..]);
        requestId = BinaryPrimitives.ReadUInt32BigEndian(headerBytes[8..]);
        return true;
    }
}
