using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace ImOrleans.Protocol.Tests;

/// <summary>Bytes as they travel on the socket: frames written by <see cref="FrameWriter"/> or crafted by hand.</summary>
internal static class Wire
{
    public static byte[] Frame(CommandCode command, FrameFlags flags, uint requestId, IMessage? body)
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.Write(output, command, flags, requestId, body);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A header announcing <paramref name="bodyLength"/> bytes, followed by that many bytes (or none).</summary>
    public static byte[] RawFrame(CommandCode command, uint requestId, int bodyLength, bool includeBody = true)
    {
        var bytes = new byte[FrameHeader.Size + (includeBody ? bodyLength : 0)];
        new FrameHeader(command, FrameFlags.None, requestId, bodyLength).Write(bytes);
        return bytes;
    }

    /// <summary>A header whose body length field holds any u32, even one no int can represent.</summary>
    public static byte[] HeaderWithBodyLength(CommandCode command, uint requestId, uint bodyLength)
    {
        var bytes = RawFrame(command, requestId, 0);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(12), bodyLength);
        return bytes;
    }

    public static ReadOnlySequence<byte> Whole(byte[] bytes) => new(bytes);

    /// <summary>The bytes cut at the given offsets into consecutive segments of one sequence.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        var bounds = cuts.Append(bytes.Length).ToArray();
        var first = new BufferSegment(bytes.AsMemory(0, bounds[0]));
        var last = first;
        for (var i = 1; i < bounds.Length; i++)
        {
            last = last.Append(bytes.AsMemory(bounds[i - 1], bounds[i] - bounds[i - 1]));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>The bytes with every byte in a segment of its own.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes) =>
        bytes.Length == 0 ? ReadOnlySequence<byte>.Empty : Split(bytes, Enumerable.Range(1, bytes.Length - 1).ToArray());

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
