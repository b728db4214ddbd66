using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using ImOrleans.Protocol;

namespace ImOrleans.LoadTest.Wire;

/// <summary>The read loop: frames are cut out of one buffer in place and handled under the session lock.</summary>
internal sealed partial class WireSession
{
    private byte[] _receive;
    private int _start;
    private int _end;

    private async Task ReadLoopAsync(Socket socket)
    {
        var cause = "the server closed the connection";
        try
        {
            while (true)
            {
                if (_end == _receive.Length)
                {
                    MakeRoom();
                }

                var read = await socket.ReceiveAsync(_receive.AsMemory(_end), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                _end += read;
                if (!ProcessFrames())
                {
                    cause = "the server sent a frame that does not parse";
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The link is gone; whether that was expected is decided below.
            cause = ex.Message;
        }
        catch (Exception ex)
        {
            // A bug of the load tester's own; the run reports it as this session's drop cause.
            cause = "the load tester failed reading a frame: " + ex;
        }
        finally
        {
            if (!_closing)
            {
                DropCause = Kick is { } kick ? $"kicked ({kick})" : cause;
                Dropped = true;
            }

            _closing = true;
            _loggedIn.TrySetException(new IOException($"{UserId}: the server closed the connection before the login answer."));
            _wake.Set();
            socket.Dispose();
            _closed.TrySetResult();
        }
    }

    private void MakeRoom()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_receive, _start, _receive, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        else
        {
            // A frame larger than the buffer: grow (bounded by MaxFrameBodySize through FrameReader).
            Array.Resize(ref _receive, _receive.Length * 2);
        }
    }

    /// <summary>Handles every complete frame in the buffer; false when the connection must close.</summary>
    private bool ProcessFrames()
    {
        var buffer = new ReadOnlySequence<byte>(_receive, _start, _end - _start);
        var wake = false;
        var now = Stopwatch.GetTimestamp();
        lock (_sync)
        {
            while (true)
            {
                var status = FrameReader.TryRead(ref buffer, _options.MaxFrameBodySize, out var frame, out _);
                if (status == FrameReadStatus.Incomplete)
                {
                    break;
                }

                if (status == FrameReadStatus.Invalid)
                {
                    return false;
                }

                wake |= HandleFrame(frame.Header, frame.Body.FirstSpan, now);
            }
        }

        _start = _end - (int)buffer.Length;
        if (_start == _end)
        {
            _start = _end = 0;
        }

        if (wake)
        {
            _wake.Set();
        }

        return true;
    }

    /// <summary>Returns true when the writer has something new to do.</summary>
    private bool HandleFrame(FrameHeader header, ReadOnlySpan<byte> body, long now)
    {
        if (header.IsPush)
        {
            switch (header.Command)
            {
                case CommandCode.MessagePush:
                    return OnMessagePush(body, now);
                case CommandCode.ReceiptPush:
                    _receipts++;
                    return false;
                case CommandCode.Kick:
                    Kick = (KickReason)ReadUInt32Field(body, 1);
                    return false;
                default:
                    return false;
            }
        }

        if (_controlPending.Count > 0 && TryCompleteControl(header, body))
        {
            return false;
        }

        switch (header.Command)
        {
            case CommandCode.Login:
                if (header.IsError)
                {
                    _loggedIn.TrySetException(new IOException($"{UserId}: login refused, error {(ErrorCode)ReadUInt32Field(body, 1)}."));
                }
                else
                {
                    var interval = (int)ReadUInt32Field(body, 3);
                    _heartbeatIntervalMs = interval > 0 ? interval : DefaultHeartbeatMs;
                    _loggedIn.TrySetResult();
                }

                return false;
            case CommandCode.SendMessage when _pending.Remove(header.RequestId, out var ledger):
                _inFlight--;
                if (header.IsError)
                {
                    _sendErrors++;
                }
                else
                {
                    _acked++;
                    ledger.SendsAcked++;
                    var seq = (long)ReadUInt64Field(body, 2);
                    _traffic?.Group?.OnAcked(seq);
                    OnOwnSendStored(ledger, seq);
                }

                return _traffic is { Sending: true, SendsOnAnswers: true };
            default:
                return false;
        }
    }
}
