using System.Buffers;

namespace ImOrleans.Protocol.Tests;

/// <summary>Headers the reader refuses: oversized bodies and broken framing.</summary>
public sealed class FrameReaderRejectionTests
{
    [Fact]
    public void A_body_of_exactly_the_maximum_size_is_accepted()
    {
        var buffer = Wire.Whole(Wire.RawFrame(CommandCode.SendMessage, 4, Samples.MaxBodySize));

        var status = FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var frame, out var error);

        Assert.Equal(FrameReadStatus.Frame, status);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(Samples.MaxBodySize, frame.Body.Length);
    }

    [Fact]
    public void A_body_one_byte_over_the_maximum_is_rejected_as_soon_as_the_header_arrives()
    {
        // Only the 16 header bytes exist: the reader must not wait for (and buffer) a body it will refuse.
        var received = Wire.Whole(Wire.RawFrame(CommandCode.SendMessage, 4, Samples.MaxBodySize + 1, includeBody: false));
        var buffer = received;

        var status = FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out _, out var error);

        Assert.Equal(FrameReadStatus.Invalid, status);
        Assert.Equal(ErrorCode.FrameTooLarge, error);
        Assert.Equal(received.Length, buffer.Length);
    }

    [Fact]
    public void A_body_length_beyond_any_int_is_too_large_rather_than_negative()
    {
        var buffer = Wire.Whole(Wire.HeaderWithBodyLength(CommandCode.SendMessage, 4, uint.MaxValue));

        var status = FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out _, out var error);

        Assert.Equal(FrameReadStatus.Invalid, status);
        Assert.Equal(ErrorCode.FrameTooLarge, error);
    }

    [Fact]
    public void An_oversized_header_still_names_its_command_and_request_id_for_the_error_frame()
    {
        var buffer = Wire.Whole(Wire.RawFrame(CommandCode.PullMessages, 1234, Samples.MaxBodySize + 1, includeBody: false));

        Assert.Equal(FrameReadStatus.Invalid, FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out _, out _));
        Assert.True(FrameReader.TryPeekIds(buffer, out var command, out var requestId));
        Assert.Equal(CommandCode.PullMessages, command);
        Assert.Equal(1234u, requestId);
    }

    [Fact]
    public void The_size_limit_is_whatever_the_caller_configures()
    {
        var buffer = Wire.Whole(Wire.RawFrame(CommandCode.SendMessage, 4, 11));

        Assert.Equal(FrameReadStatus.Invalid, FrameReader.TryRead(ref buffer, 10, out _, out var error));
        Assert.Equal(ErrorCode.FrameTooLarge, error);
    }

    [Theory]
    [InlineData(0, 0x00)] // magic high byte
    [InlineData(1, 0x4E)] // magic low byte: "IN"
    [InlineData(2, 0x00)] // version 0
    [InlineData(2, 0x02)] // version 2
    [InlineData(6, 0x01)] // reserved high byte
    [InlineData(7, 0x80)] // reserved low byte
    public void A_header_with_bad_magic_version_or_reserved_bits_is_invalid(int offset, byte value)
    {
        var bytes = Wire.Frame(CommandCode.Heartbeat, FrameFlags.None, 7, null);
        bytes[offset] = value;
        var received = Wire.Whole(bytes);
        var buffer = received;

        var status = FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var frame, out var error);

        Assert.Equal(FrameReadStatus.Invalid, status);
        Assert.Equal(ErrorCode.BadFrame, error);
        Assert.Equal(default, frame);
        Assert.Equal(received.Length, buffer.Length);
    }

    [Fact]
    public void A_bad_header_is_rejected_before_its_body_length_is_trusted()
    {
        // Garbage that happens to announce a huge body is a framing error, not a size error.
        var bytes = Wire.HeaderWithBodyLength(CommandCode.Heartbeat, 7, uint.MaxValue);
        bytes[0] = (byte)'G';
        bytes[1] = (byte)'E';
        var buffer = Wire.Whole(bytes);

        Assert.Equal(FrameReadStatus.Invalid, FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out _, out var error));
        Assert.Equal(ErrorCode.BadFrame, error);
    }

    [Fact]
    public void A_bad_header_is_detected_once_the_header_is_complete_even_if_split()
    {
        var bytes = Wire.Frame(CommandCode.Heartbeat, FrameFlags.None, 7, null);
        bytes[2] = 9;

        var partial = Wire.Split(bytes[..(FrameHeader.Size - 1)], 2);
        Assert.Equal(FrameReadStatus.Incomplete, FrameReader.TryRead(ref partial, Samples.MaxBodySize, out _, out _));

        var whole = Wire.Split(bytes, 2);
        Assert.Equal(FrameReadStatus.Invalid, FrameReader.TryRead(ref whole, Samples.MaxBodySize, out _, out var error));
        Assert.Equal(ErrorCode.BadFrame, error);
    }
}
