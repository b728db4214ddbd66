using Google.Protobuf;
using ImOrleans.Protocol;

namespace ImOrleans.Client.Internal;

/// <summary>
/// A frame waiting in a connection's outbound queue. The body is serialized by the write loop, so it must not
/// be changed once queued (a resend clones the request instead).
/// </summary>
internal readonly record struct OutboundFrame(CommandCode Command, uint RequestId, IMessage Body, FrameFlags Flags = FrameFlags.None);
