using System.Buffers.Binary;

namespace ImOrleans.Protocol;

/// <summary>
/// The 16-byte fixed header that starts every frame (all integers big-endian):
/// magic u16 (0x494D, "IM"), version u8, flags u8, command u16, reserved u16 (0),
/// request id u32, body length u32.
/// </summary>
public readonly record struct FrameHeader(CommandCode Command, FrameFlags Flags, uint RequestId, int BodyLength)
{
    public const int Size = 16;
    public const ushort Magic = 0x494D;
    public const byte CurrentVersion = 1;

    public bool IsResponse => (Flags & FrameFlags.Response) != 0;
    public bool IsError => (Flags & FrameFlags.Error) != 0;
    public bool IsPush => (Flags & FrameFlags.Push) != 0;
    public bool WantsNoReply => (Flags & FrameFlags.NoReply) != 0;

    public void Write(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(BodyLength);
        BinaryPrimitives.WriteUInt16BigEndian(destination, Magic);
        destination[2] = CurrentVersion;
        destination[3] = (byte)Flags;
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)Command);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], RequestId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], (uint)BodyLength);
    }
}
