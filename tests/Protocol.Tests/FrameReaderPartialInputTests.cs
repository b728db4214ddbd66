using System.Buffers;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Protocol.Tests;

/// <summary>Frames arriving the way TCP delivers them: a byte at a time, or cut anywhere across segments.</summary>
public sealed class FrameReaderPartialInputTests
{
    private static readonly SendMessageRequest Sent = Samples.ImageMessage();
    private static readonly byte[] Bytes = Wire.Frame(CommandCode.SendMessage, FrameFlags.None, 77, Sent);

    [Fact]
    public void An_empty_buffer_is_incomplete()
    {
        var buffer = ReadOnlySequence<byte>.Empty;

        Assert.Equal(FrameReadStatus.Incomplete, FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out _, out var error));
        Assert.Equal(ErrorCode.None, error);
    }

    [Fact]
    public void A_frame_fed_byte_by_byte_is_incomplete_until_its_last_byte_and_nothing_is_consumed_meanwhile()
    {
        for (var available = 0; available < Bytes.Length; available++)
        {
            var received = Wire.OneBytePerSegment(Bytes[..available]);
            var buffer = received;

            var status = FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out _, out var error);

            Assert.Equal(FrameReadStatus.Incomplete, status);
            Assert.Equal(ErrorCode.None, error);
            Assert.Equal(received.Length, buffer.Length);
            Assert.Equal(received.Start, buffer.Start);
        }

        var whole = Wire.OneBytePerSegment(Bytes);
        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref whole, Samples.MaxBodySize, out var frame, out _));
        Assert.Equal(77u, frame.Header.RequestId);
        Assert.Equal(Sent, SendMessageRequest.Parser.ParseFrom(frame.Body));
        Assert.True(whole.IsEmpty);
    }

    [Fact]
    public void A_frame_cut_at_any_byte_into_two_segments_reads_the_same()
    {
        for (var cut = 1; cut < Bytes.Length; cut++)
        {
            var buffer = Wire.Split(Bytes, cut);

            var status = FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var frame, out _);

            Assert.Equal(FrameReadStatus.Frame, status);
            Assert.Equal(new FrameHeader(CommandCode.SendMessage, FrameFlags.None, 77, Sent.CalculateSize()), frame.Header);
            Assert.Equal(Sent, SendMessageRequest.Parser.ParseFrom(frame.Body));
            Assert.True(buffer.IsEmpty);
        }
    }

    [Theory]
    [InlineData(1, 2)]      // magic split
    [InlineData(3, 5)]      // flags alone, command split
    [InlineData(9, 14)]     // request id split, body length split
    [InlineData(13, 20)]    // body length split, body split
    [InlineData(15, 16)]    // last header byte alone
    public void A_header_split_across_three_segments_reads_the_same(int firstCut, int secondCut)
    {
        var buffer = Wire.Split(Bytes, firstCut, secondCut);

        var status = FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var frame, out _);

        Assert.Equal(FrameReadStatus.Frame, status);
        Assert.Equal(77u, frame.Header.RequestId);
        Assert.Equal(CommandCode.SendMessage, frame.Header.Command);
        Assert.Equal(Sent, SendMessageRequest.Parser.ParseFrom(frame.Body));
    }

    [Fact]
    public void A_whole_header_without_its_body_is_incomplete()
    {
        var received = Wire.Split(Bytes[..(FrameHeader.Size + 1)], 8);
        var buffer = received;

        Assert.Equal(FrameReadStatus.Incomplete, FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out _, out _));
        Assert.Equal(received.Length, buffer.Length);
    }

    [Fact]
    public void Ids_can_be_peeked_from_a_header_split_across_segments()
    {
        var buffer = Wire.Split(Bytes, 5, 10);

        Assert.True(FrameReader.TryPeekIds(buffer, out var command, out var requestId));
        Assert.Equal(CommandCode.SendMessage, command);
        Assert.Equal(77u, requestId);
    }

    [Fact]
    public void Ids_cannot_be_peeked_before_the_whole_header_has_arrived()
    {
        var buffer = Wire.Whole(Bytes[..(FrameHeader.Size - 1)]);

        Assert.False(FrameReader.TryPeekIds(buffer, out var command, out var requestId));
        Assert.Equal(CommandCode.None, command);
        Assert.Equal(0u, requestId);
    }
}
