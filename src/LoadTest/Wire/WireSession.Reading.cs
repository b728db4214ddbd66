using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
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
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The link is gone; whether that was expected is decided below.
        }
        finally
        {
            if (!_closing)
            {
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
                    _traffic?.Group?.OnAcked((long)ReadUInt64Field(body, 2));
                }

                return _traffic is { Sending: true, OpenLoop: false };
            case CommandCode.DeliveryAck when _pending.Remove(header.RequestId, out var ledger):
                ledger.AckInFlight = false;
                if (!header.IsError)
                {
                    ledger.AckedSeq = Math.Max(ledger.AckedSeq, ledger.AckInFlightSeq);
                }

                return QueueAckIfDue(ledger);
            default:
                return false;
        }
    }

    private bool OnMessagePush(ReadOnlySpan<byte> body, long now)
    {
        var push = new ProtoSpanReader(body);
        ReadOnlySpan<byte> message = default;
        while (push.TryReadTag(out var field, out var wireType))
        {
            if (field == 1 && wireType == ProtoSpanReader.LengthDelimited)
            {
                message = push.ReadLengthDelimited();
            }
            else
            {
                push.Skip(wireType);
            }
        }

        ReadOnlySpan<byte> conversation = default, sender = default, content = default;
        long seq = 0;
        var reader = new ProtoSpanReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1 when wireType == ProtoSpanReader.LengthDelimited:
                    conversation = reader.ReadLengthDelimited();
                    break;
                case 2 when wireType == ProtoSpanReader.Varint:
                    seq = (long)reader.ReadVarint();
                    break;
                case 4 when wireType == ProtoSpanReader.LengthDelimited:
                    sender = reader.ReadLengthDelimited();
                    break;
                case 6 when wireType == ProtoSpanReader.LengthDelimited:
                    content = reader.ReadLengthDelimited();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        if (seq <= 0 || conversation.IsEmpty)
        {
            return false;
        }

        var ledger = FindLedger(conversation);
        if (!ledger.Offer(seq))
        {
            _duplicates++;
        }
        else if (sender.SequenceEqual(_userIdUtf8))
        {
            _echoes++;
        }
        else
        {
            _delivered++;
            ledger.ReceivedFromPeer++;
            if (_traffic is not null && MessageStamp.TryParse(content, out var stamp))
            {
                _traffic.Latency.Record(MessageStamp.MicrosecondsBetween(stamp, now));
                _traffic.Group?.OnDelivered(seq, stamp, now);
            }
        }

        return QueueAckIfDue(ledger);
    }

    private ConversationLedger FindLedger(ReadOnlySpan<byte> conversationId)
    {
        Span<char> chars = stackalloc char[conversationId.Length];
        var count = Encoding.UTF8.GetChars(conversationId, chars);
        if (_lookup.TryGetValue(chars[..count], out var ledger))
        {
            return ledger;
        }

        // A conversation the scenario did not set up (someone else wrote to this user): track it all the same.
        var id = new string(chars[..count]);
        return AddConversation(id, -1, sendsHere: false);
    }

    private bool QueueAckIfDue(ConversationLedger ledger)
    {
        if (!ledger.NeedsAck)
        {
            return false;
        }

        if (_traffic is { AckDelayMs: > 0 } traffic && Environment.TickCount64 - ledger.LastAckMs < traffic.AckDelayMs)
        {
            ledger.AckDeferred = true;
            _deferredAcks.Add(ledger);
            return false;
        }

        ledger.AckQueued = true;
        _ackQueue.Add(ledger);
        return true;
    }

    private static ulong ReadUInt64Field(ReadOnlySpan<byte> body, int wanted)
    {
        var reader = new ProtoSpanReader(body);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == wanted && wireType == ProtoSpanReader.Varint)
            {
                return reader.ReadVarint();
            }

            reader.Skip(wireType);
        }

        return 0;
    }

    private static uint ReadUInt32Field(ReadOnlySpan<byte> body, int wanted)
    {
        var reader = new ProtoSpanReader(body);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == wanted && wireType == ProtoSpanReader.Varint)
            {
                return (uint)reader.ReadVarint();
            }

            reader.Skip(wireType);
        }

        return 0;
    }
}
