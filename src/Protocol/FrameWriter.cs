using System.Buffers;
using Google.Protobuf;

namespace ImOrleans.Protocol;

/// <summary>Writes frames straight into an <see cref="IBufferWriter{T}"/> (a PipeWriter): one span per frame, no intermediate array.</summary>
public static class FrameWriter
{
    public static void Write(IBufferWriter<byte> output, CommandCode command, FrameFlags flags, uint requestId, IMessage? body)
    {
        var bodyLength = body?.CalculateSize() ?? 0;
        var total = FrameHeader.Size + bodyLength;
        var span = output.GetSpan(total);
        new FrameHeader(command, flags, requestId, bodyLength).Write(span);
        if (body is not null && bodyLength > 0)
        {
            body.WriteTo(span.Slice(FrameHeader.Size, bodyLength));
        }

        output.Advance(total);
    }

    public static void WriteError(IBufferWriter<byte> output, CommandCode command, uint requestId, ErrorCode code, string reason) =>
        Write(output, command, FrameFlags.Response | FrameFlags.Error, requestId,
            new Messages.ErrorBody { Code = (uint)code, Reason = reason });
}
