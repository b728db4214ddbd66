using System.Buffers;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Protocol.Benchmarks;

/// <summary>
/// Cost per frame of the codec on the two hot frames of a chat: the client's SendMessage (decoded by the edge) and
/// the server's MessagePush (encoded by the edge once per receiving session). Bodies are 64 bytes of text, as in
/// the standard load test. Encode writes into a reused buffer; decode reads from a ready buffer.
/// </summary>
[MemoryDiagnoser]
public class FrameCodecBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private SendMessageRequest _send = null!;
    private MessagePush _push = null!;
    private ReadOnlySequence<byte> _sendFrame;
    private ReadOnlySequence<byte> _pushFrame;

    [GlobalSetup]
    public void Setup()
    {
        _send = new SendMessageRequest
        {
            ConversationId = "s:user-000123:user-000456",
            ClientMsgId = Guid.NewGuid().ToString(),
            Type = MessageType.Text,
            Content = new string('x', 64),
            ClientTimeMs = 1_767_225_600_000,
        };
        _push = new MessagePush { Message = NewMessage(42) };
        _sendFrame = Encode(CommandCode.SendMessage, FrameFlags.None, 7, _send);
        _pushFrame = Encode(CommandCode.MessagePush, FrameFlags.Push, 0, _push);
    }

    [Benchmark(Description = "SendMessage: encode frame")]
    public int EncodeSendMessage()
    {
        _output.ResetWrittenCount();
        FrameWriter.Write(_output, CommandCode.SendMessage, FrameFlags.None, 7, _send);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "SendMessage: read frame + parse body")]
    public long DecodeSendMessage()
    {
        var buffer = _sendFrame;
        FrameReader.TryRead(ref buffer, 65_536, out var frame, out _);
        return SendMessageRequest.Parser.ParseFrom(frame.Body).ClientTimeMs;
    }

    [Benchmark(Description = "MessagePush: encode frame")]
    public int EncodeMessagePush()
    {
        _output.ResetWrittenCount();
        FrameWriter.Write(_output, CommandCode.MessagePush, FrameFlags.Push, 0, _push);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "MessagePush: build message + encode frame")]
    public int BuildAndEncodeMessagePush()
    {
        _output.ResetWrittenCount();
        FrameWriter.Write(_output, CommandCode.MessagePush, FrameFlags.Push, 0, new MessagePush { Message = NewMessage(43) });
        return _output.WrittenCount;
    }

    [Benchmark(Description = "MessagePush: read frame + parse body")]
    public long DecodeMessagePush()
    {
        var buffer = _pushFrame;
        FrameReader.TryRead(ref buffer, 65_536, out var frame, out _);
        return MessagePush.Parser.ParseFrom(frame.Body).Message.Seq;
    }

    [Benchmark(Description = "header only: read frame")]
    public int ReadHeader()
    {
        var buffer = _pushFrame;
        FrameReader.TryRead(ref buffer, 65_536, out var frame, out _);
        return frame.Header.BodyLength;
    }

    private ChatMessage NewMessage(long seq) => new()
    {
        ConversationId = _send.ConversationId,
        Seq = seq,
        ClientMsgId = _send.ClientMsgId,
        SenderId = "user-000123",
        Type = MessageType.Text,
        Content = _send.Content,
        ClientTimeMs = _send.ClientTimeMs,
        ServerTimeMs = 1_767_225_600_123,
    };

    private static ReadOnlySequence<byte> Encode(CommandCode command, FrameFlags flags, uint requestId, IMessage body)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameWriter.Write(writer, command, flags, requestId, body);
        return new ReadOnlySequence<byte>(writer.WrittenMemory.ToArray());
    }
}
