using System.Buffers;
using System.IO.Pipelines;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Protocol.Tests;

public sealed class FrameRoundTripTests
{
    [Fact]
    public async Task A_frame_written_into_a_pipe_reads_back_whole()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var pipe = new Pipe();
        var sent = Samples.ImageMessage();

        FrameWriter.Write(pipe.Writer, CommandCode.SendMessage, FrameFlags.None, 41, sent);
        await pipe.Writer.FlushAsync(deadline.Token);

        var result = await pipe.Reader.ReadAsync(deadline.Token);
        var buffer = result.Buffer;
        var status = FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var frame, out var error);

        Assert.Equal(FrameReadStatus.Frame, status);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(new FrameHeader(CommandCode.SendMessage, FrameFlags.None, 41, sent.CalculateSize()), frame.Header);
        Assert.Equal(sent, SendMessageRequest.Parser.ParseFrom(frame.Body));
        Assert.True(buffer.IsEmpty);
        pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
    }

    [Fact]
    public void A_protobuf_body_with_attachments_round_trips_through_the_frame_body()
    {
        var sent = Samples.ImageMessage();
        var buffer = Wire.Whole(Wire.Frame(CommandCode.SendMessage, FrameFlags.None, 1, sent));

        FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var frame, out _);
        var received = SendMessageRequest.Parser.ParseFrom(frame.Body);

        Assert.Equal(sent, received);
        Assert.Equal(2, received.Attachments.Count);
        Assert.Equal("look at this 🐈", received.Content);
    }

    [Fact]
    public void A_body_that_spans_segments_still_parses_as_protobuf()
    {
        var sent = Samples.ImageMessage();
        var bytes = Wire.Frame(CommandCode.SendMessage, FrameFlags.None, 1, sent);
        var buffer = Wire.OneBytePerSegment(bytes);

        FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var frame, out _);

        Assert.False(frame.Body.IsSingleSegment);
        Assert.Equal(sent, SendMessageRequest.Parser.ParseFrom(frame.Body));
    }

    [Fact]
    public void An_empty_body_is_a_frame_with_a_zero_length_body()
    {
        var bytes = Wire.Frame(CommandCode.Heartbeat, FrameFlags.None, 7, new HeartbeatRequest());
        var buffer = Wire.Whole(bytes);

        var status = FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var frame, out _);

        Assert.Equal(FrameHeader.Size, bytes.Length);
        Assert.Equal(FrameReadStatus.Frame, status);
        Assert.Equal(0, frame.Header.BodyLength);
        Assert.True(frame.Body.IsEmpty);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void A_null_body_is_written_as_an_empty_body()
    {
        var bytes = Wire.Frame(CommandCode.Logout, FrameFlags.Response, 3, body: null);

        Assert.Equal(Wire.Frame(CommandCode.Logout, FrameFlags.Response, 3, new LogoutResponse()), bytes);
    }

    [Fact]
    public void Two_frames_back_to_back_in_one_buffer_read_one_after_the_other()
    {
        var first = new DeliveryAckRequest { ConversationId = "s:alice:bob", Seq = 12 };
        var second = new MarkReadRequest { ConversationId = "s:alice:bob", Seq = 12 };
        var buffer = Wire.Whole(Wire.Concat(
            Wire.Frame(CommandCode.DeliveryAck, FrameFlags.None, 1, first),
            Wire.Frame(CommandCode.MarkRead, FrameFlags.None, 2, second)));

        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var one, out _));
        Assert.Equal(CommandCode.DeliveryAck, one.Header.Command);
        Assert.Equal(1u, one.Header.RequestId);
        Assert.Equal(first, DeliveryAckRequest.Parser.ParseFrom(one.Body));

        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var two, out _));
        Assert.Equal(CommandCode.MarkRead, two.Header.Command);
        Assert.Equal(2u, two.Header.RequestId);
        Assert.Equal(second, MarkReadRequest.Parser.ParseFrom(two.Body));

        Assert.True(buffer.IsEmpty);
        Assert.Equal(FrameReadStatus.Incomplete, FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out _, out _));
    }

    [Fact]
    public void A_whole_frame_followed_by_part_of_the_next_reads_the_first_and_keeps_the_rest()
    {
        var next = Wire.Frame(CommandCode.Heartbeat, FrameFlags.None, 9, null);
        var buffer = Wire.Whole(Wire.Concat(
            Wire.Frame(CommandCode.Heartbeat, FrameFlags.None, 8, null),
            next[..5]));

        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var frame, out _));
        Assert.Equal(8u, frame.Header.RequestId);
        Assert.Equal(5, buffer.Length);
        Assert.Equal(FrameReadStatus.Incomplete, FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out _, out _));
        Assert.Equal(5, buffer.Length);
    }

    [Fact]
    public void Flags_and_command_codes_the_reader_does_not_know_still_read_as_a_frame()
    {
        // The reader only polices the header's framing; an unknown command is the session's to answer
        // (UnknownCommand) without closing the connection, and the server ignores client flags.
        var buffer = Wire.Whole(Wire.Frame((CommandCode)0x0100, (FrameFlags)0xFF, 5, null));

        var status = FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var frame, out _);

        Assert.Equal(FrameReadStatus.Frame, status);
        Assert.Equal((CommandCode)0x0100, frame.Header.Command);
        Assert.Equal((FrameFlags)0xFF, frame.Header.Flags);
    }

    [Fact]
    public void The_largest_request_id_survives_the_round_trip()
    {
        var buffer = Wire.Whole(Wire.Frame(CommandCode.Heartbeat, FrameFlags.None, uint.MaxValue, null));

        FrameReader.TryRead(ref buffer, Samples.MaxBodySize, out var frame, out _);

        Assert.Equal(uint.MaxValue, frame.Header.RequestId);
    }
}
