using Google.Protobuf;
using ImOrleans.Protocol;

namespace ImOrleans.EdgeGateway;

/// <summary>A frame waiting in a session's outbound queue; serialized only by the writer task.</summary>
internal readonly record struct OutboundFrame(CommandCode Command, FrameFlags Flags, uint RequestId, IMessage? Body)
{
    public static OutboundFrame Response(CommandCode command, uint requestId, IMessage body) =>
        new(command, FrameFlags.Response, requestId, body);

    public static OutboundFrame Error(CommandCode command, uint requestId, ErrorCode code, string reason) =>
        new(command, FrameFlags.Response | FrameFlags.Error, requestId,
            new Protocol.Messages.ErrorBody { Code = (uint)code, Reason = reason });

    public static OutboundFrame Push(CommandCode command, IMessage body) => new(command, FrameFlags.Push, 0, body);
}
