using System.Buffers;
using Google.Protobuf;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client.Internal;

/// <summary>The read side: frames off the pipe, answers matched to pending requests, pushes handed on.</summary>
internal sealed partial class Connection
{
    private async Task ReadLoopAsync()
    {
        Exception? reason = null;
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(_closing.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    Volatile.Write(ref _lastReadTimestamp, _time.GetTimestamp());
                }

                try
                {
                    while (true)
                    {
                        var status = FrameReader.TryRead(ref buffer, _maxBodySize, out var frame, out var error);
                        if (status == FrameReadStatus.Incomplete)
                        {
                            break;
                        }

                        if (status == FrameReadStatus.Invalid)
                        {
                            throw new ImConnectionException($"The server sent a bad frame header ({error}).");
                        }

                        // Dispatch parses the body before its first await, so the slice is still valid.
                        await DispatchAsync(frame.Header, frame.Body).ConfigureAwait(false);
                    }

                    if (result.IsCompleted)
                    {
                        reason = (Exception?)_connectionError
                            ?? (Kick is { } kick ? new ImConnectionException($"Kicked: {(KickReason)kick.Reason}: {kick.Message}")
                                : new ImConnectionException($"{RemoteEndPoint} closed the connection."));
                        break;
                    }
                }
                finally
                {
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            reason = ex is ImConnectionException ? ex : new ImConnectionException($"Reading from {RemoteEndPoint} failed.", ex);
        }

        Close(reason);
    }

    private ValueTask DispatchAsync(FrameHeader header, ReadOnlySequence<byte> body)
    {
        if (header.IsResponse)
        {
            if (header.IsError)
            {
                var error = ParseError(body);
                if (_pending.TryRemove(header.RequestId, out var failed))
                {
                    failed.Fail(error);
                }
                else if (header.RequestId == 0)
                {
                    // A connection-level error (bad frame, not logged in): the server closes right after it.
                    _connectionError = error;
                }
            }
            else if (_pending.TryRemove(header.RequestId, out var pending))
            {
                pending.Complete(body);
            }

            // An answer whose request already timed out is dropped.
            return ValueTask.CompletedTask;
        }

        IMessage? push;
        try
        {
            push = header.Command switch
            {
                CommandCode.MessagePush => MessagePush.Parser.ParseFrom(body),
                CommandCode.Notice => NoticePush.Parser.ParseFrom(body),
                CommandCode.ReceiptPush => ReceiptPush.Parser.ParseFrom(body),
                CommandCode.Kick => KickNotice.Parser.ParseFrom(body),
                CommandCode.Resync => ResyncNotice.Parser.ParseFrom(body),
                _ => null,
            };
        }
        catch (InvalidProtocolBufferException)
        {
            // A push we cannot decode is dropped: its seq shows up as a gap and is pulled (R15); an undecodable
            // Resync is dropped too, and the next gap, sync or reconnect catches up instead.
            return ValueTask.CompletedTask;
        }

        if (push is KickNotice notice)
        {
            Kick = notice;
            return OnKickAsync(notice);
        }

        return push is null ? ValueTask.CompletedTask : _onPush(push, _closing.Token);
    }

    private async ValueTask OnKickAsync(KickNotice notice)
    {
        await _onPush(notice, _closing.Token).ConfigureAwait(false);

        // The server closes right after a kick; not waiting for it makes the client's reaction prompt either way.
        Close(new ImConnectionException($"Kicked: {(KickReason)notice.Reason}: {notice.Message}"));
    }

    private static ImServerException ParseError(ReadOnlySequence<byte> body)
    {
        try
        {
            var error = ErrorBody.Parser.ParseFrom(body);
            return new ImServerException((ErrorCode)error.Code, error.Reason);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return new ImServerException(ErrorCode.MalformedBody, $"Undecodable error body: {ex.Message}");
        }
    }
}
