using System.Diagnostics;
using System.Net.Sockets;
using ImOrleans.Protocol;

namespace ImOrleans.LoadTest.Wire;

/// <summary>
/// The writer loop: the only code that writes to the socket. Each wake-up drains everything due into the send
/// buffer under the session lock, then writes it with one call (so a burst of acks and sends costs one syscall).
/// </summary>
internal sealed partial class WireSession
{
    /// <summary>Sends written per wake-up at most, so one busy session cannot hog the writer's buffer.</summary>
    private const int MaxSendsPerBatch = 64;

    private async Task WriteLoopAsync(Socket socket)
    {
        try
        {
            while (!_closing)
            {
                await _wake.WaitAsync().ConfigureAwait(false);
                if (_closing)
                {
                    break;
                }

                bool more;
                lock (_sync)
                {
                    more = FillBatch();
                }

                if (_out.Written > 0)
                {
                    await FlushAsync(socket).ConfigureAwait(false);
                }

                if (more)
                {
                    _wake.Set();
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The read loop sees the same failure and records the drop.
        }
    }

    /// <summary>Writes what is due; true when sends remain for another round.</summary>
    private bool FillBatch()
    {
        if (_heartbeatDue)
        {
            _heartbeatDue = false;
            FrameWriter.Write(_out, CommandCode.Heartbeat, FrameFlags.None, NextRequestId(), null);
        }

        foreach (var ledger in _ackQueue)
        {
            ledger.AckQueued = false;
            if (ledger.Contiguous > ledger.AckedSeq)
            {
                WriteDeliveryAck(ledger);
            }
        }

        _ackQueue.Clear();
        if (_controlQueue.Count > 0)
        {
            WriteControlRequests();
        }

        if (_traffic is not { Sending: true } traffic || _contacts.Count == 0)
        {
            return false;
        }

        var clientTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var written = 0;
        if (traffic.Opening)
        {
            var openedAt = Stopwatch.GetTimestamp();
            while (written < MaxSendsPerBatch && _inFlight < ChatTraffic.OpeningWindow && _opened < _contacts.Count)
            {
                WriteSend(traffic, _contacts[_opened++], openedAt, clientTimeMs);
                written++;
            }

            return _inFlight < ChatTraffic.OpeningWindow && _opened < _contacts.Count;
        }

        if (traffic.OpenLoop)
        {
            var writtenAt = Stopwatch.GetTimestamp();
            while (written < MaxSendsPerBatch && TryDequeueScheduled(out var stamp))
            {
                WriteSend(traffic, RandomContact(), stamp, clientTimeMs);
                traffic.SendLag.Record(MessageStamp.MicrosecondsBetween(stamp, writtenAt));
                written++;
            }

            return _backlogCount > 0;
        }

        var now = Stopwatch.GetTimestamp();
        while (written < MaxSendsPerBatch && _inFlight < traffic.Window)
        {
            WriteSend(traffic, RandomContact(), now, clientTimeMs);
            written++;
        }

        return _inFlight < traffic.Window;
    }

    private ConversationLedger RandomContact() => _contacts[_contacts.Count == 1 ? 0 : Random.Shared.Next(_contacts.Count)];

    private void WriteDeliveryAck(ConversationLedger ledger)
    {
        var id = NextRequestId();
        var span = _out.GetSpan(FrameHeader.Size + ledger.ConversationIdUtf8.Length + 24);
        var body = new ProtoSpanWriter(span[FrameHeader.Size..]);
        body.WriteBytesField(1, ledger.ConversationIdUtf8);
        body.WriteVarintField(2, (ulong)ledger.Contiguous);
        new FrameHeader(CommandCode.DeliveryAck, FrameFlags.NoReply, id, body.Written).Write(span);
        _out.Advance(FrameHeader.Size + body.Written);

        // Unanswered unless refused, as the SDK acks; the scenarios ack only their own conversations.
        ledger.AckedSeq = ledger.Contiguous;
        ledger.LastAckMs = Environment.TickCount64;
        _acksSent++;
    }

    /// <summary>A SendMessageRequest encoded by hand (field numbers from im.proto) into <paramref name="ledger"/>'s conversation.</summary>
    private void WriteSend(ChatTraffic traffic, ConversationLedger ledger, long stamp, long clientTimeMs)
    {
        var id = NextRequestId();
        var span = _out.GetSpan(FrameHeader.Size + ledger.ConversationIdUtf8.Length + _messageIdPrefix.Length + traffic.BodySize + 64);
        var body = new ProtoSpanWriter(span[FrameHeader.Size..]);
        body.WriteBytesField(1, ledger.ConversationIdUtf8);
        body.WritePrefixedNumberField(2, _messageIdPrefix, ++_messageNumber);
        body.WriteVarintField(3, 1); // MESSAGE_TYPE_TEXT
        body.WriteStampedField(4, stamp, traffic.BodySize);
        body.WriteVarintField(6, (ulong)clientTimeMs);
        new FrameHeader(CommandCode.SendMessage, FrameFlags.None, id, body.Written).Write(span);
        _out.Advance(FrameHeader.Size + body.Written);
        _pending[id] = ledger;
        _inFlight++;
        _sent++;
    }
}
