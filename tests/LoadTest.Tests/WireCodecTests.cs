using Google.Protobuf;
using ImOrleans.LoadTest.Wire;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.LoadTest.Tests;

/// <summary>The hand-written protobuf paths of the lean client agree with the generated code.</summary>
public sealed class WireCodecTests
{
    [Fact]
    public void A_hand_encoded_send_parses_as_the_SendMessageRequest_the_server_expects()
    {
        var buffer = new byte[512];
        var writer = new ProtoSpanWriter(buffer);
        writer.WriteBytesField(1, "s:a:b"u8);
        writer.WritePrefixedNumberField(2, "run-7-"u8, 1234567);
        writer.WriteVarintField(3, 1);
        writer.WriteStampedField(4, 0x1234_5678_9ABC, 64);
        writer.WriteVarintField(6, 1_767_225_600_000);

        var request = SendMessageRequest.Parser.ParseFrom(buffer.AsSpan(0, writer.Written));

        Assert.Equal("s:a:b", request.ConversationId);
        Assert.Equal("run-7-1234567", request.ClientMsgId);
        Assert.Equal(MessageType.Text, request.Type);
        Assert.Equal(64, request.Content.Length);
        Assert.True(MessageStamp.TryParse(request.Content, out var stamp));
        Assert.Equal(0x1234_5678_9ABC, stamp);
        Assert.Equal(1_767_225_600_000, request.ClientTimeMs);
    }

    [Fact]
    public void The_span_reader_finds_the_fields_of_a_generated_MessagePush()
    {
        var push = new MessagePush
        {
            Message = new ChatMessage
            {
                ConversationId = "s:alice:bob",
                Seq = 300,
                ClientMsgId = "m1",
                SenderId = "alice",
                Type = MessageType.Text,
                Content = MessageStamp.Format(42, 20),
                ServerTimeMs = 99,
                Attachments = { new Attachment { Id = "x", Size = 5 } },
            },
        };
        var bytes = push.ToByteArray();

        var outer = new ProtoSpanReader(bytes);
        Assert.True(outer.TryReadTag(out var field, out var wireType));
        Assert.Equal((1, ProtoSpanReader.LengthDelimited), (field, wireType));
        var message = new ProtoSpanReader(outer.ReadLengthDelimited());
        var seen = new Dictionary<int, object>();
        while (message.TryReadTag(out field, out wireType))
        {
            seen[field] = wireType == ProtoSpanReader.Varint
                ? (long)message.ReadVarint()
                : wireType == ProtoSpanReader.LengthDelimited ? System.Text.Encoding.UTF8.GetString(message.ReadLengthDelimited()) : "?";
        }

        Assert.Equal("s:alice:bob", seen[1]);
        Assert.Equal(300L, seen[2]);
        Assert.Equal("alice", seen[4]);
        Assert.True(MessageStamp.TryParse(System.Text.Encoding.ASCII.GetBytes((string)seen[6]), out var stamp));
        Assert.Equal(42, stamp);
        Assert.Equal(99L, seen[9]);
    }

    [Fact]
    public void A_truncated_body_is_rejected_not_misread()
    {
        var bytes = new MessagePush { Message = new ChatMessage { ConversationId = "s:a:b", Seq = 1 } }.ToByteArray();

        Assert.Throws<FormatException>(() =>
        {
            var reader = new ProtoSpanReader(bytes.AsSpan(0, bytes.Length - 2));
            reader.TryReadTag(out _, out _);
            reader.ReadLengthDelimited();
        });
    }
}
