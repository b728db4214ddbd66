using System.Buffers;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Protocol.Tests;

public sealed class FrameWriterTests
{
    [Fact]
    public void A_heartbeat_request_is_exactly_the_bytes_in_the_protocol_document()
    {
        var bytes = Wire.Frame(CommandCode.Heartbeat, FrameFlags.None, 7, new HeartbeatRequest());

        Assert.Equal(Convert.FromHexString("494D0100000100000000000700000000"), bytes);
    }

    [Fact]
    public void A_heartbeat_response_is_exactly_the_bytes_in_the_protocol_document()
    {
        var bytes = Wire.Frame(CommandCode.Heartbeat, FrameFlags.Response, 7, new HeartbeatResponse { ServerTimeMs = 1_767_225_600_000 });

        Assert.Equal(Convert.FromHexString("494D0101000100000000000700000007" + "0880D0EAB6B733"), bytes);
    }

    [Fact]
    public void Header_fields_are_big_endian_at_their_documented_offsets()
    {
        var header = new byte[FrameHeader.Size];

        new FrameHeader(CommandCode.PullMessages, FrameFlags.Response | FrameFlags.Error, 0x0A0B0C0D, 0x00010203).Write(header);

        Assert.Equal(
            new byte[]
            {
                0x49, 0x4D,             // 0  magic "IM"
                0x01,                   // 2  version
                0x03,                   // 3  flags: Response | Error
                0x03, 0x02,             // 4  command PullMessages
                0x00, 0x00,             // 6  reserved
                0x0A, 0x0B, 0x0C, 0x0D, // 8  request id
                0x00, 0x01, 0x02, 0x03, // 12 body length
            },
            header);
    }

    [Fact]
    public void The_body_length_counts_the_body_only()
    {
        var body = Samples.ImageMessage();

        var bytes = Wire.Frame(CommandCode.SendMessage, FrameFlags.None, 1, body);

        Assert.Equal(FrameHeader.Size + body.CalculateSize(), bytes.Length);
        Assert.Equal((uint)body.CalculateSize(), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(12)));
    }

    [Fact]
    public void A_push_carries_the_push_flag_and_request_id_zero()
    {
        var buffer = Wire.Whole(Wire.Frame(CommandCode.Kick, FrameFlags.Push, 0,
            new KickNotice { Reason = (uint)KickReason.ReplacedByNewLogin, Message = "signed in on another phone" }));

        FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var frame, out _);

        Assert.True(frame.Header.IsPush);
        Assert.False(frame.Header.IsResponse);
        Assert.Equal(0u, frame.Header.RequestId);
        Assert.Equal((uint)KickReason.ReplacedByNewLogin, KickNotice.Parser.ParseFrom(frame.Body).Reason);
    }

    [Fact]
    public void An_error_frame_answers_the_request_with_response_and_error_flags_and_an_error_body()
    {
        var output = new ArrayBufferWriter<byte>();

        FrameWriter.WriteError(output, CommandCode.SendMessage, 42, ErrorCode.NotMember, "not a member of s:alice:bob");

        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var frame, out _));
        Assert.Equal(FrameFlags.Response | FrameFlags.Error, frame.Header.Flags);
        Assert.True(frame.Header.IsResponse);
        Assert.True(frame.Header.IsError);
        Assert.False(frame.Header.IsPush);
        Assert.Equal(CommandCode.SendMessage, frame.Header.Command);
        Assert.Equal(42u, frame.Header.RequestId);
        var body = ErrorBody.Parser.ParseFrom(frame.Body);
        Assert.Equal((uint)ErrorCode.NotMember, body.Code);
        Assert.Equal(1200u, body.Code);
        Assert.Equal("not a member of s:alice:bob", body.Reason);
    }

    [Fact]
    public void A_connection_level_error_uses_command_none_and_request_id_zero()
    {
        var output = new ArrayBufferWriter<byte>();

        FrameWriter.WriteError(output, CommandCode.None, 0, ErrorCode.BadFrame, "bad magic");

        Assert.Equal(new byte[] { 0x49, 0x4D, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 }, output.WrittenSpan[..12].ToArray());
    }

    [Fact]
    public void Frames_written_one_after_another_append_to_the_same_output()
    {
        var output = new ArrayBufferWriter<byte>();

        FrameWriter.Write(output, CommandCode.Heartbeat, FrameFlags.None, 1, null);
        FrameWriter.Write(output, CommandCode.Heartbeat, FrameFlags.None, 2, null);

        Assert.Equal(2 * FrameHeader.Size, output.WrittenCount);
        Assert.Equal(2, output.WrittenSpan[FrameHeader.Size + 11]);
    }
}
