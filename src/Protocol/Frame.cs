using System.Buffers;

namespace ImOrleans.Protocol;

/// <summary>A decoded frame. <see cref="Body"/> is a slice of the input buffer, valid until that buffer is advanced.</summary>
public readonly record struct Frame(FrameHeader Header, ReadOnlySequence<byte> Body);
